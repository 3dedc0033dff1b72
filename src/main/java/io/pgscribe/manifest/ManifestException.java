package io.pgscribe.manifest;

import io.pgscribe.PgscribeException;

/** A manifest that is missing, unreadable or fails its checksum. */
public class ManifestException extends PgscribeException {
    public ManifestException(String message, String hint) {
        super(message, hint);
    }
}
