package io.pgscribe.config;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Checks every setting of a pipeline before anything starts, and reports all that are wrong at
 * once (exit 2): a route whose schedule does not parse never runs, and a size of zero or less
 * would make segments, spool files or uploads that never end.
 */
public final class SettingsCheck {

    private static final Set<Setting> POSITIVE = EnumSet.of(Setting.SPOOL_FSYNC_INTERVAL, Setting.SPOOL_STATUS_INTERVAL,
            Setting.SPOOL_ROTATE_BYTES, Setting.SPOOL_POLL_DELAY_MS, Setting.SPOOL_BATCH_LINES, Setting.SEGMENT_MAX_BYTES,
            Setting.SEGMENT_MAX_AGE, Setting.CAPTURE_TICK_MS, Setting.CAPTURE_RESTART_DELAY, Setting.CAPTURE_RESTART_MAX_DELAY,
            Setting.COMPRESSION_INTERVAL_MS, Setting.BASE_TIMEOUT, Setting.SHIP_INTERVAL_MS, Setting.SHIP_RETRY_MAX_DELAY,
            Setting.SHIP_PART_SIZE, Setting.MONITOR_INTERVAL_MS, Setting.HEARTBEAT_INTERVAL_MS,
            Setting.SEQUENCES_SAMPLE_INTERVAL_MS, Setting.RETENTION_POINT_IN_TIME_DAYS);

    /** 0 means off (thresholds) or the default (compression level). */
    private static final Set<Setting> NOT_NEGATIVE = EnumSet.of(Setting.COMPRESSION_LEVEL,
            Setting.RETENTION_BASES_DAYS, Setting.RETENTION_MONTHLY_BASES,
            Setting.SHIP_ALERT_AFTER, Setting.ALERT_RETAINED_WAL_WARNING, Setting.ALERT_RETAINED_WAL_CRITICAL,
            Setting.ALERT_RETAINED_WAL_EMERGENCY, Setting.ALERT_SLOT_INACTIVE_EMERGENCY, Setting.ALERT_CAPTURE_DOWN_GRACE,
            Setting.ALERT_SEGMENT_STALE, Setting.ALERT_SEGMENT_STALE_WAL, Setting.ALERT_REPEAT_INTERVAL);

    /** Read as int. */
    private static final Set<Setting> INTS = EnumSet.of(Setting.COMPRESSION_LEVEL, Setting.RETENTION_BASES_DAYS,
            Setting.RETENTION_MONTHLY_BASES, Setting.RETENTION_POINT_IN_TIME_DAYS, Setting.SPOOL_BATCH_LINES,
            Setting.SPOOL_FSYNC_INTERVAL, Setting.SPOOL_STATUS_INTERVAL);

    private static final Set<Setting> PORTS = EnumSet.of(Setting.SOURCE_PORT, Setting.ALERT_SMTP_PORT);

    private static final Set<Setting> BOOLEANS = EnumSet.of(Setting.CAPTURE_NEW_TABLES_FULL, Setting.BASE_CHECKSUMS,
            Setting.GLOBALS_NO_ROLE_PASSWORDS, Setting.SHIP_ENABLED, Setting.S3_PATH_STYLE, Setting.S3_SSE_S3,
            Setting.S3_SSE_KMS);

    private static final Set<Setting> NOT_EMPTY = EnumSet.of(Setting.SOURCE_HOST, Setting.SOURCE_DATABASE,
            Setting.SOURCE_USER, Setting.BACKUP_DIR, Setting.SLOT_NAME, Setting.DECODER);

    private static final Set<Setting> CRONS = EnumSet.of(Setting.BASE_CRON, Setting.GLOBALS_CRON, Setting.PRUNE_CRON);

    /** S3's smallest part but the last. */
    static final long MIN_PART_SIZE = 5L * 1024 * 1024;

    private SettingsCheck() {
    }

    /** Refuses (exit 2) settings that are wrong, naming each with what it must be. */
    public static void require(Settings s) {
        List<String> problems = problems(s);
        if (!problems.isEmpty()) {
            String where = s.file() == null ? "" : " (" + s.file() + ")";
            throw new PgscribeException((problems.size() == 1 ? "a setting is wrong" : problems.size() + " settings are wrong")
                    + where + ":\n  - " + String.join("\n  - ", problems),
                    "Fix them in application.properties (or -s KEY=VALUE); `pgscribe config` lists every setting with "
                            + "what it does.", ExitCode.USAGE, null);
        }
    }

    /** What is wrong, one line per setting; empty when nothing is. */
    public static List<String> problems(Settings s) {
        List<String> out = new ArrayList<>();
        String prefix = s.pipeline() == null ? "" : "pgscribe.database." + s.pipeline() + ". (or shared) ";
        for (Setting k : POSITIVE) {
            Long v = number(s, k, out, prefix);
            if (v != null && v <= 0) {
                out.add(prefix + k.key() + " is " + v + "; it must be more than 0");
            }
        }
        for (Setting k : NOT_NEGATIVE) {
            Long v = number(s, k, out, prefix);
            if (v != null && v < 0) {
                out.add(prefix + k.key() + " is " + v + "; it must be 0 or more");
            }
        }
        for (Setting k : PORTS) {
            Long v = number(s, k, out, prefix);
            if (v != null && (v < 1 || v > 65535)) {
                out.add(prefix + k.key() + " is " + v + "; a port is 1 to 65535");
            }
        }
        Long part = parse(s.get(Setting.SHIP_PART_SIZE));
        if (part != null && part > 0 && part < MIN_PART_SIZE) {
            out.add(prefix + Setting.SHIP_PART_SIZE.key() + " is " + part + "; S3 parts are " + MIN_PART_SIZE
                    + " bytes (5 MiB) at least");
        }
        for (Setting k : BOOLEANS) {
            String v = s.get(k).strip().toLowerCase(java.util.Locale.ROOT);
            if (!v.equals("true") && !v.equals("false")) {
                out.add(prefix + k.key() + " is \"" + s.get(k) + "\"; it must be true or false");
            }
        }
        for (Setting k : NOT_EMPTY) {
            if (s.get(k).isBlank()) {
                out.add(prefix + k.key() + " is empty" + (k == Setting.BACKUP_DIR
                        ? "; name the backup directory (an empty one would mean the current directory)" : ""));
            }
        }
        if (s.get(Setting.SOURCE_SSLCERT).isBlank() != s.get(Setting.SOURCE_SSLKEY).isBlank()) {
            out.add(prefix + "pgscribe.source.sslcert and pgscribe.source.sslkey go together: a client certificate needs "
                    + "its private key");
        }
        String host = hostProblem(s.get(Setting.SOURCE_HOST));
        if (host != null) {
            out.add(prefix + Setting.SOURCE_HOST.key() + " is \"" + s.get(Setting.SOURCE_HOST) + "\": " + host);
        }
        for (Setting k : CRONS) {
            String problem = cronProblem(s.get(k));
            if (problem != null) {
                out.add(prefix + k.key() + " is \"" + s.get(k) + "\": " + problem);
            }
        }
        return out;
    }

    /**
     * Why {@code cron} is no Quartz cron expression (null when it is one). Quartz's own parser
     * decides; the 5-field Unix form, the usual mistake, gets the Quartz form to write instead.
     */
    static String cronProblem(String cron) {
        String expr = cron.strip().replace('+', ' ');
        if (expr.isEmpty()) {
            return "empty; the route would never run";
        }
        try {
            org.quartz.CronExpression.validateExpression(expr);
            return null;
        } catch (java.text.ParseException e) {
            String[] fields = expr.split("\\s+");
            if (fields.length == 5) {
                String dom = fields[2];
                // Unix counts days of the week from 0 = Sunday, Quartz from 1 = Sunday: names mean the same to both
                String dow = unixDaysAsNames(fields[4]);
                // Quartz needs ? in one of day-of-month and day-of-week
                if (dow.equals("*")) {
                    dow = "?";
                } else if (dom.equals("*")) {
                    dom = "?";
                }
                String quartz = "0 " + fields[0] + " " + fields[1] + " " + dom + " " + fields[3] + " " + dow;
                String unix = "that is a 5-field Unix cron; Quartz's has seconds first (seconds minutes hours day-of-month "
                        + "month day-of-week)";
                return org.quartz.CronExpression.isValidExpression(quartz) ? unix + ", e.g. \"" + quartz + "\"" : unix;
            }
            return "not a Quartz cron expression (" + e.getMessage() + "); write seconds minutes hours day-of-month month "
                    + "day-of-week, e.g. \"0 0 2 * * ?\" for 02:00 every day";
        }
    }

    private static final String[] DAY_NAMES = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"};

    /**
     * Why {@code host} cannot be connected to, or null: a Unix-domain socket directory, which libpq
     * takes and the JDBC driver, pgscribe's own connection, does not.
     */
    public static String hostProblem(String host) {
        if (host != null && (host.startsWith("/") || host.startsWith("@"))) {
            return "that is a Unix-domain socket directory, and pgscribe connects over TCP (its JDBC driver has no Unix "
                    + "sockets); use localhost or the server's address, with a host line for it in pg_hba.conf";
        }
        return null;
    }

    /** A Unix day-of-week field with its numbers 0-7 written as day names. */
    static String unixDaysAsNames(String dow) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?<![/\\d])[0-7](?!\\d)").matcher(dow);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, DAY_NAMES[m.group().charAt(0) - '0']);
        }
        return m.appendTail(out).toString();
    }

    private static Long number(Settings s, Setting k, List<String> out, String prefix) {
        Long v = parse(s.get(k));
        if (v == null) {
            out.add(prefix + k.key() + " is \"" + s.get(k) + "\"; " + (s.get(k).strip().matches("-?[0-9]+")
                    ? "that is too large" : "it must be a whole number"));
        } else if (Math.abs(v) > Integer.MAX_VALUE && INTS.contains(k)) {
            out.add(prefix + k.key() + " is " + v + "; that is too large (at most " + Integer.MAX_VALUE + ")");
            return null;
        }
        return v;
    }

    private static Long parse(String v) {
        try {
            return Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
