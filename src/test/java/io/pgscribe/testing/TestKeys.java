package io.pgscribe.testing;

import io.pgscribe.manifest.SetTrust;
import io.pgscribe.signing.SetKey;
import java.nio.file.Path;

/** One signing key per test JVM: every pipeline of the tests signs its set with it, and restores check with it. */
public final class TestKeys {

    private static Path file;
    private static SetKey key;

    private TestKeys() {
    }

    public static synchronized Path signingKeyFile() {
        if (file == null) {
            try {
                Path dir = java.nio.file.Files.createTempDirectory("pgscribe-test-keys");
                file = dir.resolve("signing.key");
                key = SetKey.generate();
                key.write(file, dir.resolve("signing.pub"));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return file;
    }

    public static synchronized SetKey key() {
        signingKeyFile();
        return key;
    }

    /** A restore's trust: signed by the test key, nothing else. */
    public static SetTrust reader() {
        return SetTrust.reader(key(), false);
    }
}
