package io.pgscribe.bench;

import io.pgscribe.testing.BackupSets;
import java.nio.file.Path;

/**
 * A backup set's segments in the SQL pgscribe 0.1 wrote (comparisons with a bare {@code =}, no ONLY),
 * with the manifest made to match: what an earlier pgscribe's restore and this one can be timed
 * on side by side, reading the same text.
 */
final class LegacyShapes {

    private LegacyShapes() {
    }

    static void rewrite(Path backupDir) {
        BackupSets.rewriteSegments(backupDir, sql -> sql.replace("::pg_catalog.text OPERATOR(pg_catalog.=) ", "::text = ")
                .replace(" OPERATOR(pg_catalog.=) ", " = ").replace("UPDATE ONLY ", "UPDATE ")
                .replace("DELETE FROM ONLY ", "DELETE FROM ").replace("(SELECT ctid FROM ONLY ", "(SELECT ctid FROM "));
    }
}
