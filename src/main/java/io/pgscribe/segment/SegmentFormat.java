package io.pgscribe.segment;

import io.pgscribe.pg.Lsn;
import io.pgscribe.sql.SqlText;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The text conventions of a segment file: its name, the settings it opens with (so it is
 * valid {@code psql -f} input on its own, read exactly as the decoder wrote it), and the
 * footer that proves it was closed and not cut short.
 */
public final class SegmentFormat {

    public static final String EXTENSION = ".sql";
    public static final String PARTIAL = ".partial";
    public static final String FOOTER_PREFIX = "-- end of segment: ";

    private static final DateTimeFormatter NAME_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final Pattern NAME = Pattern.compile("([0-9A-F]{16})-(\\d{8}T\\d{6}Z)\\.sql");

    /** PostgreSQL's ISO timestamptz output, e.g. {@code 2026-11-24 22:21:31.081531+00}. */
    private static final DateTimeFormatter PG_TIMESTAMPTZ = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd HH:mm:ss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).optionalEnd()
            .appendOffset("+HH:mm", "+00")
            .toFormatter();

    private SegmentFormat() {
    }

    /** {@code <16 hex digits>-<yyyyMMddTHHmmssZ>.sql}: sorts by the first commit LSN (or ordinal). */
    public static String name(long key, Instant time) {
        return String.format("%016X", key) + "-" + NAME_TIME.format(time) + EXTENSION;
    }

    public static boolean isSegmentName(String fileName) {
        return NAME.matcher(fileName).matches();
    }

    /** The LSN (or ordinal, for decoder_raw) a segment name starts with. */
    public static Lsn keyOf(String fileName) {
        Matcher m = NAME.matcher(fileName);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a segment name: " + fileName);
        }
        return Lsn.fromHex16(m.group(1));
    }

    public static Instant parseCommitTime(String pgTimestamp) {
        return PG_TIMESTAMPTZ.parse(pgTimestamp, java.time.OffsetDateTime::from).toInstant();
    }

    /**
     * The settings every segment opens with: those the decoder's text was produced under
     * (pinned on the walsender), strings as written, and replica mode so that restored
     * triggers do not fire a second time for changes already in the stream.
     */
    public static String header(String database, String systemIdentifier, String decoder, String clientEncoding) {
        return "-- pgscribe segment of database " + SqlText.commentText(database) + " (system "
                + SqlText.commentText(systemIdentifier) + "), decoder " + SqlText.commentText(decoder) + "\n"
                + "-- Plain SQL, valid input to psql -f on its own. Every transaction opens with BEGIN and a comment\n"
                + "-- holding its xid, commit LSN and commit time; restore skips by that LSN.\n"
                + "SET client_encoding = '" + clientEncoding + "';\n"
                + "SET standard_conforming_strings = on;\n"
                + "SET DateStyle = 'ISO, MDY';\n"
                + "SET TimeZone = 'UTC';\n"
                + "SET IntervalStyle = 'postgres';\n"
                + "SET extra_float_digits = 3;\n"
                + "SET bytea_output = 'hex';\n"
                + "SET lc_monetary = 'C';\n"
                + "SET check_function_bodies = false;\n"
                + "SET session_replication_role = replica;\n"
                + "\n";
    }

    public static String footer(long transactions, String firstLsn, String lastLsn) {
        StringBuilder sb = new StringBuilder(FOOTER_PREFIX).append(transactions).append(" transactions");
        if (firstLsn != null) {
            sb.append(", commit LSN ").append(firstLsn).append(" to ").append(lastLsn);
        }
        return sb.append('\n').toString();
    }
}
