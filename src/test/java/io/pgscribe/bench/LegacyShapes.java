package io.pgscribe.bench;

import io.pgscribe.testing.BackupSets;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * A backup set's segments in the SQL pgscribe 0.1 wrote (comparisons with a bare {@code =}, no ONLY),
 * with the manifest made to match: what an earlier pgscribe's restore and this one can be timed
 * on side by side, reading the same text.
 */
final class LegacyShapes {

    private static final String NAME = "(\"(?:[^\"]|\"\")*\")";
    private static final String LITERAL = "'(?:[^']|'')*'";
    /** A FULL identity row's text check after the column's own comparison (0.4); 0.1 compared by = alone. */
    private static final Pattern TEXT_CHECK = Pattern.compile(NAME + " (OPERATOR\\([^)]*\\) (?:" + LITERAL + "|[-0-9.eE]+))"
            + " AND pg_catalog\\.format\\('%s', \\1\\) OPERATOR\\(pg_catalog\\.=\\) " + LITERAL);
    /** A comparison by text alone, where = is absent: 0.1 wrote {@code c::text = v}. */
    private static final Pattern BY_TEXT = Pattern.compile("pg_catalog\\.format\\('%s', " + NAME + "\\) OPERATOR\\(pg_catalog\\.=\\) ");

    private LegacyShapes() {
    }

    static void rewrite(Path backupDir) {
        BackupSets.rewriteSegments(backupDir, sql -> BY_TEXT.matcher(TEXT_CHECK.matcher(sql).replaceAll("$1 $2")).replaceAll("$1::text = ")
                .replace("::pg_catalog.text OPERATOR(pg_catalog.=) ", "::text = ")
                .replace(" OPERATOR(pg_catalog.=) ", " = ").replace("UPDATE ONLY ", "UPDATE ")
                .replace("DELETE FROM ONLY ", "DELETE FROM ").replace("(SELECT ctid FROM ONLY ", "(SELECT ctid FROM "));
    }
}
