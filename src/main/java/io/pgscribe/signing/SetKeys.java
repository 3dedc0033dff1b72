package io.pgscribe.signing;

import io.pgscribe.config.Setting;
import io.pgscribe.config.Settings;
import java.nio.file.Path;

/** The keys a pipeline's settings name: the one its writers sign with, the one its readers check with. */
public final class SetKeys {

    private SetKeys() {
    }

    /** {@code pgscribe.backup.signing-key}, or null when none is set. */
    public static SetKey signing(Settings s) {
        String path = s.get(Setting.BACKUP_SIGNING_KEY);
        return path.isBlank() ? null : SetKey.read(Path.of(path));
    }

    /** {@code pgscribe.backup.verify-key}, else the public half of the signing key, else null. */
    public static SetKey verifying(Settings s) {
        String path = s.get(Setting.BACKUP_VERIFY_KEY);
        return path.isBlank() ? signing(s) : SetKey.read(Path.of(path));
    }
}
