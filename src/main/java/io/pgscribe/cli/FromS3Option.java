package io.pgscribe.cli;

import io.pgscribe.config.Settings;
import io.pgscribe.manifest.Manifest;
import io.pgscribe.restore.RestoreTarget;
import io.pgscribe.ship.RemoteBackupSet;
import io.pgscribe.ship.S3Config;
import io.pgscribe.ship.S3Store;
import java.io.PrintStream;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --from-s3[=s3://bucket/prefix]}: work on the copy in object storage instead of the local backup directory. */
final class FromS3Option {

    static final String CONFIGURED = "configured";

    @Option(names = "--from-s3", arity = "0..1", fallbackValue = CONFIGURED, paramLabel = "s3://BUCKET/PREFIX",
            description = "Read the backup set from object storage: the configured pgscribe.s3.* location, or this one "
                    + "(endpoint and credentials from pgscribe.s3.*). The files needed are downloaded and checked first.")
    String location;

    @Option(names = "--staging-dir", paramLabel = "DIR",
            description = "Where --from-s3 puts the downloaded files while it works (default: the system's temporary directory).")
    Path stagingParent;

    boolean active() {
        return location != null;
    }

    /** Downloads what {@code target} needs (everything for null); returns the staging directory to work on. */
    Path stage(Settings s, RestoreTarget target, io.pgscribe.manifest.SetTrust trust, PrintStream out) {
        S3Config configured = S3Config.fromSettingsForRead(s, !CONFIGURED.equals(location));
        S3Config at = CONFIGURED.equals(location) ? configured : configured.at(location);
        Path staging = RemoteBackupSet.newStaging(stagingParent != null ? stagingParent
                : Path.of(System.getProperty("java.io.tmpdir")));
        try (S3Store store = new S3Store(at)) {
            Manifest ignored = RemoteBackupSet.stage(store, target, staging, trust, out);
            return staging;
        } catch (RuntimeException e) {
            RemoteBackupSet.remove(staging);
            throw e;
        }
    }
}
