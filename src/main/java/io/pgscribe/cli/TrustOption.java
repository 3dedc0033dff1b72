package io.pgscribe.cli;

import io.pgscribe.config.Settings;
import io.pgscribe.manifest.SetTrust;
import io.pgscribe.signing.SetKeys;
import picocli.CommandLine.Option;

/** {@code --allow-unsigned}, and the key restore and verify check a manifest's signature with. */
final class TrustOption {

    @Option(names = "--allow-unsigned", description = "With no key configured (pgscribe.backup.verify-key and signing-key "
            + "empty): take a backup set whose manifest is not signed (made before pgscribe 0.2, or without a key), or is "
            + "signed but cannot be checked here. With a key configured, an unsigned set and a failing signature are "
            + "refused all the same.")
    boolean allowUnsigned;

    SetTrust trust(Settings s) {
        return SetTrust.reader(SetKeys.verifying(s), allowUnsigned);
    }
}
