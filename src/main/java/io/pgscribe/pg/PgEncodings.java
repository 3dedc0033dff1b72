package io.pgscribe.pg;

import io.pgscribe.PgscribeException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * Java charsets for PostgreSQL server encodings. Decoder output arrives in the database's
 * encoding and segments are written back in it, byte for byte; SQL_ASCII holds arbitrary
 * bytes, which ISO-8859-1 carries through unchanged.
 */
public final class PgEncodings {

    private static final Map<String, String> JAVA = Map.ofEntries(
            Map.entry("UTF8", "UTF-8"),
            Map.entry("SQL_ASCII", "ISO-8859-1"),
            Map.entry("LATIN1", "ISO-8859-1"),
            Map.entry("LATIN2", "ISO-8859-2"),
            Map.entry("LATIN3", "ISO-8859-3"),
            Map.entry("LATIN4", "ISO-8859-4"),
            Map.entry("LATIN5", "ISO-8859-9"),
            Map.entry("LATIN6", "ISO-8859-10"),
            Map.entry("LATIN7", "ISO-8859-13"),
            Map.entry("LATIN9", "ISO-8859-15"),
            Map.entry("ISO_8859_5", "ISO-8859-5"),
            Map.entry("ISO_8859_6", "ISO-8859-6"),
            Map.entry("ISO_8859_7", "ISO-8859-7"),
            Map.entry("ISO_8859_8", "ISO-8859-8"),
            Map.entry("WIN1250", "windows-1250"),
            Map.entry("WIN1251", "windows-1251"),
            Map.entry("WIN1252", "windows-1252"),
            Map.entry("WIN1253", "windows-1253"),
            Map.entry("WIN1254", "windows-1254"),
            Map.entry("WIN1255", "windows-1255"),
            Map.entry("WIN1256", "windows-1256"),
            Map.entry("WIN1257", "windows-1257"),
            Map.entry("WIN1258", "windows-1258"),
            Map.entry("WIN866", "IBM866"),
            Map.entry("WIN874", "x-windows-874"),
            Map.entry("KOI8R", "KOI8-R"),
            Map.entry("KOI8U", "KOI8-U"),
            Map.entry("EUC_JP", "EUC-JP"),
            Map.entry("EUC_KR", "EUC-KR"),
            Map.entry("EUC_CN", "GB2312"),
            Map.entry("EUC_TW", "x-EUC-TW"));

    private PgEncodings() {
    }

    public static Charset charsetOf(String pgEncoding) {
        if (pgEncoding == null) {
            return StandardCharsets.UTF_8;
        }
        String java = JAVA.get(pgEncoding.toUpperCase(Locale.ROOT));
        if (java == null || !Charset.isSupported(java)) {
            throw new PgscribeException("database encoding " + pgEncoding + " is not supported by pgscribe",
                    "Supported: " + String.join(", ", new java.util.TreeSet<>(JAVA.keySet())) + ".");
        }
        return Charset.forName(java);
    }
}
