package io.pgscribe.cli;

import io.pgscribe.config.Settings;
import io.pgscribe.manifest.SetTrust;
import io.pgscribe.signing.SetKeys;
import picocli.CommandLine.Option;

/** {@code --allow-unsigned}, and the key restore and verify check a manifest's signature with. */
final class TrustOption {

    @Option(names = "--allow-unsigned", description = "Take a backup set whose manifest is not signed (sets made before "
            + "pgscribe 0.2, or with no pgscribe.backup.signing-key), or one signed by a key not configured here. A signature "
            + "that fails under the configured key is refused all the same.")
    boolean allowUnsigned;

    SetTrust trust(Settings s) {
        return SetTrust.reader(SetKeys.verifying(s), allowUnsigned);
    }
}
