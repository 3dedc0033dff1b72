package io.pgscribe.manifest;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;

/**
 * A manifest that is missing, unreadable or fails its checksum: the backup set is damaged (exit
 * 5); a directory that holds no backup set at all is refused (exit 4).
 */
public class ManifestException extends PgscribeException {
    public ManifestException(String message, String hint) {
        super(message, hint, ExitCode.DAMAGED, null);
    }

    public ManifestException(String message, String hint, int exitCode) {
        super(message, hint, exitCode, null);
    }
}
