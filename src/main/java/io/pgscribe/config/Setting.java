package io.pgscribe.config;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Every {@code pgscribe.*} setting: its key, default, and what changing it does. */
public enum Setting {

    DATABASES("pgscribe.databases", "",
            "Pipelines of this runtime, comma-separated names (e.g. orders,billing): each runs every route template with "
                    + "its own slot, backup directory and S3 prefix; its settings are pgscribe.database.NAME.* over the "
                    + "shared ones. Empty: one pipeline from the settings as they are."),
    SOURCE_HOST("pgscribe.source.host", "localhost", "Host of the database server to back up."),
    SOURCE_PORT("pgscribe.source.port", "5432", "Port of the database server."),
    SOURCE_DATABASE("pgscribe.source.database", "postgres", "Database to back up (one pipeline per database)."),
    SOURCE_USER("pgscribe.source.user", "postgres",
            "Role pgscribe connects as: superuser for init (event triggers, slot), REPLICATION for capture."),
    SOURCE_PASSWORD("pgscribe.source.password", "",
            "Password; prefer the PGSCRIBE_SOURCE_PASSWORD environment variable or a passfile. Never logged."),
    SOURCE_PASSFILE("pgscribe.source.passfile", "",
            "A libpq password file (host:port:db:user:password) used by pgscribe and the tools it runs."),
    SOURCE_SSLMODE("pgscribe.source.sslmode", "prefer", "libpq sslmode: disable, prefer, require, verify-ca, verify-full."),
    SOURCE_SSLROOTCERT("pgscribe.source.sslrootcert", "",
            "PEM file of the certificate authorities the server's certificate must be signed by (with sslmode verify-ca or "
                    + "verify-full), given to pgscribe's own connections and to every PostgreSQL tool it runs alike; empty: "
                    + "each one's default (~/.postgresql/root.crt)."),
    SOURCE_SSLCERT("pgscribe.source.sslcert", "",
            "PEM file of the client certificate (and its chain) for a server that asks for one (pg_hba.conf cert or "
                    + "clientcert=verify-full), for pgscribe's own connections and every tool alike; needs pgscribe.source.sslkey."),
    SOURCE_SSLKEY("pgscribe.source.sslkey", "",
            "PEM file of the client certificate's private key, unencrypted, owner-only (libpq refuses one group or others "
                    + "can read); the same file serves pgscribe's own connections (read in memory) and every tool."),
    BACKUP_DIR("pgscribe.backup.dir", "backup",
            "Backup directory: manifest.json, base/, globals/, segments/, spool/. Created owner-only."),
    BACKUP_SIGNING_KEY("pgscribe.backup.signing-key", "",
            "Ed25519 private key (PEM, owner-only) every manifest is signed with; keep it outside the backup. Empty: sets "
                    + "are unsigned, and restoring one needs --allow-unsigned. `pgscribe keygen DIR` makes a pair."),
    BACKUP_VERIFY_KEY("pgscribe.backup.verify-key", "",
            "Ed25519 public key (PEM) restore and verify check the manifest's signature with, on a host that only "
                    + "restores; empty: the public half of pgscribe.backup.signing-key."),
    ENCRYPTION_RECIPIENTS("pgscribe.encryption.recipients", "",
            "OpenPGP public key files (comma-separated, from `gpg --export`) every closed file is encrypted to before it is "
                    + "kept or shipped; empty (and no passphrase): files are stored in plain text. Losing every secret key loses "
                    + "the backups."),
    ENCRYPTION_PASSPHRASE("pgscribe.encryption.passphrase", "",
            "Passphrase closed files are also encrypted with, and restore reads them with; set it through the "
                    + "PGSCRIBE_ENCRYPTION_PASSPHRASE environment variable. Never logged."),
    ENCRYPTION_SECRET_KEY("pgscribe.encryption.secret-key", "",
            "OpenPGP secret key file (from `gpg --export-secret-keys`, owner-only) restore and verify decrypt with; only a "
                    + "host that restores needs it."),
    ENCRYPTION_SECRET_KEY_PASSPHRASE("pgscribe.encryption.secret-key-passphrase", "",
            "Passphrase of that secret key; through PGSCRIBE_ENCRYPTION_SECRET_KEY_PASSPHRASE. Never logged."),
    ENCRYPTION_ALLOW_PLAIN("pgscribe.encryption.allow-plain", "false",
            "true: a runtime with no encryption settings writes to a set that holds encrypted files (new files in plain "
                    + "text, on purpose); false refuses to start, so a lost passphrase variable never ships plain text."),
    SLOT_NAME("pgscribe.slot.name", "pgscribe", "Logical replication slot the pipeline owns."),
    DECODER("pgscribe.decoder", "pgoutput",
            "Output plugin of backup sets started from now on: pgoutput (default, built into the server), wal2json or "
                    + "decoder_raw (see its limits); a set keeps the one it was started with."),
    PG_BINDIR("pgscribe.pg.bindir", "",
            "Directory of pg_dump, pg_dumpall, pg_recvlogical and psql; empty: `pg_config --bindir`, then PATH."),
    SPOOL_FSYNC_INTERVAL("pgscribe.spool.fsync-interval", "1",
            "Seconds between fsyncs of the spool. The server learns a position only once it is fsync'd, so this bounds how much "
                    + "the server sends again after a crash; 0 is refused (nothing would ever be confirmed durable)."),
    SPOOL_STATUS_INTERVAL("pgscribe.spool.status-interval", "1",
            "Seconds between position reports to the server: how soon the slot releases WAL."),
    SPOOL_ROTATE_BYTES("pgscribe.spool.rotate-bytes", "67108864",
            "A spool file this big is rotated (SIGHUP) so that consumed files can be deleted."),
    SPOOL_POLL_DELAY_MS("pgscribe.spool.poll-delay-ms", "20", "Milliseconds the capture waits when the spool has nothing new."),
    SPOOL_BATCH_LINES("pgscribe.spool.batch-lines", "2000", "Most spool lines handed to the capture route in one exchange."),
    SEGMENT_MAX_BYTES("pgscribe.segment.max-bytes", "16777216",
            "A segment is closed at the first COMMIT after it reaches this size."),
    SEGMENT_MAX_AGE("pgscribe.segment.max-age", "60",
            "Seconds: a segment is closed at the first COMMIT (or idle moment) after it is this old. Bounds how old the "
                    + "newest closed segment can be."),
    CAPTURE_TICK_MS("pgscribe.capture.tick-ms", "1000", "Milliseconds between checks that close an old segment when idle."),
    CAPTURE_RESTART_DELAY("pgscribe.capture.restart-delay", "2",
            "Seconds before pg_recvlogical is started again after it stopped; doubles on each failure."),
    CAPTURE_RESTART_MAX_DELAY("pgscribe.capture.restart-max-delay", "60", "Upper bound of the restart delay, in seconds."),
    CAPTURE_PRUNE_SOURCE_LOGS("pgscribe.capture.prune-source-logs", "true",
            "Delete from the source the rows of pgscribe.ddl_log and pgscribe.sequence_log that closed segments hold (the "
                    + "stream carried them), so the source keeps no DDL text, which may hold a password, and no growing log."),
    CAPTURE_NEW_TABLES_FULL("pgscribe.capture.new-tables-replica-identity-full", "true",
            "A table created without a primary key gets REPLICA IDENTITY FULL from the event trigger, so its UPDATE and "
                    + "DELETE are not lost; false leaves it as it is."),
    BASE_CHECKSUMS("pgscribe.base.checksums", "true",
            "Record each table's row count and checksum with every base, read through the base's own snapshot, so that a "
                    + "restore of it can be verified (costs one more read of the data when the base is taken)."),
    BASE_FORMAT("pgscribe.base.format", "plain",
            "What pg_dump writes for a base: plain (SQL text, readable with no PostgreSQL tool) or custom (pg_dump's "
                    + "compressed archive, read back with pg_restore)."),
    COMPRESSION("pgscribe.compression", "gzip",
            "How closed segments and plain bases are stored once closed: gzip, zstd or none. The manifest keeps the sha256 "
                    + "of both the stored file and the SQL in it."),
    COMPRESSION_LEVEL("pgscribe.compression.level", "0",
            "Compression level: gzip 1-9, zstd 1-19; 0 is the method's default (gzip 6, zstd 3)."),
    COMPRESSION_INTERVAL_MS("pgscribe.compression.interval-ms", "5000",
            "Milliseconds between runs of the compress route, which compresses what closed since its last run."),
    BASE_CRON("pgscribe.base.cron", "0 0 2 * * ?",
            "When the base route takes a new base (Quartz cron: seconds minutes hours day-of-month month day-of-week). "
                    + "A newer base bounds restore time and lets older segments go."),
    BASE_TIMEOUT("pgscribe.base.timeout", "86400", "Seconds a scheduled pg_dump may run before it is stopped and counted failed."),
    GLOBALS_CRON("pgscribe.globals.cron", "0 30 2 * * ?", "When the globals route runs pg_dumpall --globals-only (Quartz cron)."),
    GLOBALS_NO_ROLE_PASSWORDS("pgscribe.globals.no-role-passwords", "false",
            "Pass --no-role-passwords to pg_dumpall, for servers where the role cannot read pg_authid (managed services)."),
    RETENTION_POINT_IN_TIME_DAYS("pgscribe.retention.point-in-time-days", "7",
            "Days back to which any point in time can be restored: segments older than the base that opens this window go."),
    RETENTION_BASES_DAYS("pgscribe.retention.bases-days", "30",
            "Days every base is kept (each restorable to its own point)."),
    RETENTION_MONTHLY_BASES("pgscribe.retention.monthly-bases", "12",
            "Past that, the first base of each calendar month is kept, for this many months (this one included)."),
    PRUNE_CRON("pgscribe.prune.cron", "0 15 3 * * ?", "When the prune route applies the retention policy (Quartz cron)."),
    SHIP_ENABLED("pgscribe.ship.enabled", "false",
            "Ship every closed, compressed file (segments, bases, globals, metadata) and the manifest to S3-compatible "
                    + "object storage (routes/ship.camel.yaml). While it is on, local pruning never deletes a file not yet shipped."),
    SHIP_INTERVAL_MS("pgscribe.ship.interval-ms", "10000", "Milliseconds between runs of the ship route."),
    SHIP_RETRY_MAX_DELAY("pgscribe.ship.retry-max-delay", "300",
            "Seconds: after a failed run, shipping waits, doubling from the interval up to this, before it tries again."),
    SHIP_ALERT_AFTER("pgscribe.ship.alert-after", "900",
            "Seconds shipping may fail before the ship-failing alert is raised; it is resolved when a run succeeds."),
    SHIP_PART_SIZE("pgscribe.ship.part-size", "16777216",
            "Bytes: files larger than this are uploaded in parts of this size (multipart upload, bounded memory); 5 MB at least."),
    S3_BUCKET("pgscribe.s3.bucket", "", "Bucket the backup set is shipped to (it must exist)."),
    S3_PREFIX("pgscribe.s3.prefix", "",
            "Key prefix of this backup set in the bucket; empty: the source database's name. One prefix per database."),
    S3_ENDPOINT("pgscribe.s3.endpoint", "",
            "Endpoint URL of an S3-compatible store (MinIO, Ceph, Garage: http://host:9000); empty: AWS S3 of the region."),
    S3_REGION("pgscribe.s3.region", "us-east-1", "Region of the bucket (S3-compatible stores usually accept any)."),
    S3_PATH_STYLE("pgscribe.s3.path-style", "false",
            "true: path-style requests (http://host/bucket/key), which most S3-compatible stores need."),
    S3_ACCESS_KEY("pgscribe.s3.access-key", "",
            "Access key id; empty: the AWS default credentials chain (environment, profile, instance role)."),
    S3_SECRET_KEY("pgscribe.s3.secret-key", "",
            "Secret key to the access key; prefer the PGSCRIBE_S3_SECRET_KEY environment variable. Never logged."),
    S3_SSE_S3("pgscribe.s3.sse-s3", "false", "true: server-side encryption with S3-managed keys (SSE-S3, AES256)."),
    S3_SSE_KMS("pgscribe.s3.sse-kms", "false", "true: server-side encryption with the KMS key pgscribe.s3.kms-key-id (SSE-KMS)."),
    S3_KMS_KEY_ID("pgscribe.s3.kms-key-id", "", "KMS key id (or ARN) for SSE-KMS."),
    S3_STORAGE_CLASS("pgscribe.s3.storage-class", "", "Storage class of shipped objects (e.g. STANDARD_IA); empty: STANDARD."),
    MONITOR_INTERVAL_MS("pgscribe.monitor.interval-ms", "15000",
            "Milliseconds between samples of the slot and the pipeline (metrics, health, alert rules)."),
    ALERT_RETAINED_WAL_WARNING("pgscribe.alert.retained-wal-warning", "536870912",
            "Bytes of WAL the slot retains on the server (from restart_lsn) that raise retained-wal at WARNING; 0: off."),
    ALERT_RETAINED_WAL_CRITICAL("pgscribe.alert.retained-wal-critical", "1073741824",
            "... at CRITICAL (default 1 GB); 0: off."),
    ALERT_RETAINED_WAL_EMERGENCY("pgscribe.alert.retained-wal-emergency", "10737418240",
            "... at EMERGENCY (default 10 GB); 0: off."),
    ALERT_SLOT_INACTIVE_EMERGENCY("pgscribe.alert.slot-inactive-emergency", "86400",
            "Seconds nothing has read the slot before slot-inactive is raised at EMERGENCY."),
    ALERT_CAPTURE_DOWN_GRACE("pgscribe.alert.capture-down-grace", "300",
            "Seconds pg_recvlogical may be down (restarts included) before capture-down is raised at CRITICAL."),
    ALERT_SEGMENT_STALE("pgscribe.alert.segment-stale", "900",
            "Seconds: segments-stale (CRITICAL) when the newest closed segment is this old ..."),
    ALERT_SEGMENT_STALE_WAL("pgscribe.alert.segment-stale-wal", "16777216",
            "... while the server has written at least this many bytes of WAL past what closed segments cover."),
    ALERT_REPEAT_INTERVAL("pgscribe.alert.repeat-interval", "3600",
            "Seconds between reminders of an alert that is still firing; 0: no reminders."),
    ALERT_MIN_SEVERITY("pgscribe.alert.min-severity", "WARNING",
            "Alerts below this severity (WARNING, CRITICAL, EMERGENCY) are logged but not sent to email or chat."),
    ALERT_EMAIL_TO("pgscribe.alert.email.to", "", "Addresses (comma-separated) that get alerts by email; empty: no email."),
    ALERT_EMAIL_FROM("pgscribe.alert.email.from", "pgscribe@localhost", "Sender address of alert emails."),
    ALERT_SMTP_HOST("pgscribe.alert.smtp.host", "", "SMTP server for alert emails."),
    ALERT_SMTP_PORT("pgscribe.alert.smtp.port", "587", "Its port (587 with STARTTLS, 465 with TLS from the start)."),
    ALERT_SMTP_USER("pgscribe.alert.smtp.user", "", "SMTP user; empty: no authentication."),
    ALERT_SMTP_PASSWORD("pgscribe.alert.smtp.password", "",
            "SMTP password; prefer the PGSCRIBE_ALERT_SMTP_PASSWORD environment variable. Never logged."),
    ALERT_SMTP_TLS("pgscribe.alert.smtp.tls", "starttls", "starttls (required), tls (smtps, TLS from the start) or none."),
    ALERT_WEBHOOKS("pgscribe.alert.webhooks", "",
            "Chat webhooks, comma-separated FORMAT=URL, FORMAT one of slack, mattermost, teams, json; empty: none."),
    HEARTBEAT_INTERVAL_MS("pgscribe.heartbeat.interval-ms", "10000",
            "Milliseconds between heartbeats (a logical message) that keep an idle database's slot moving."),
    SEQUENCES_SAMPLE_INTERVAL_MS("pgscribe.sequences.sample-interval-ms", "60000",
            "Milliseconds between samples of every sequence's value, written into the stream when changed."),
    PUBLICATION_CHECK_INTERVAL_MS("pgscribe.publication.check-interval-ms", "10000",
            "Milliseconds between checks that a pgoutput set's publication is as init made it (a change is a hole).");

    private final String key;
    private final String defaultValue;
    private final String description;

    Setting(String key, String defaultValue, String description) {
        this.key = key;
        this.defaultValue = defaultValue;
        this.description = description;
    }

    public String key() {
        return key;
    }

    public String defaultValue() {
        return defaultValue;
    }

    public String description() {
        return description;
    }

    /** {@code pgscribe.source.host} is overridden by {@code PGSCRIBE_SOURCE_HOST}. */
    public String environmentVariable() {
        return environmentVariable(key);
    }

    public static String environmentVariable(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /**
     * The value as {@code config} prints it: a secret not at all, a webhook URL only to its host
     * (a chat webhook's path is its bearer secret).
     */
    public String shown(String value) {
        if (value == null || value.isEmpty()) {
            return value;
        }
        if (isSecret()) {
            return "(set, not shown)";
        }
        if (this != ALERT_WEBHOOKS) {
            // a URL with user:password@ (an S3 endpoint, say) shows neither
            return value.replaceAll("(?i)([a-z][a-z0-9+.-]*://)[^/@\\s]*@", "$1(not shown)@");
        }
        java.util.List<String> out = new java.util.ArrayList<>();
        for (String entry : value.split(",")) {
            int eq = entry.indexOf('=');
            String format = eq < 0 ? "" : entry.substring(0, eq + 1).strip();
            String url = entry.substring(eq + 1).strip();
            int scheme = url.indexOf("://");
            if (scheme < 0) {
                out.add(format + "(not shown)");
                continue;
            }
            int from = scheme + 3;
            int end = from;
            while (end < url.length() && "/?#".indexOf(url.charAt(end)) < 0) {
                end++;
            }
            String authority = url.substring(from, end);
            String host = authority.substring(authority.lastIndexOf('@') + 1); // user:password@ is never shown
            out.add(format + url.substring(0, from) + host + (end < url.length() ? "/(not shown)" : ""));
        }
        return String.join(",", out);
    }

    public boolean isSecret() {
        return this == SOURCE_PASSWORD || this == S3_SECRET_KEY || this == ALERT_SMTP_PASSWORD || this == ENCRYPTION_PASSPHRASE
                || this == ENCRYPTION_SECRET_KEY_PASSPHRASE;
    }

    /** Every setting by its key, in declaration order (built once: every key of a load is checked against it). */
    public static Map<String, Setting> byKey() {
        return ByKey.MAP;
    }

    private static final class ByKey {
        static final Map<String, Setting> MAP;

        static {
            Map<String, Setting> map = new LinkedHashMap<>();
            for (Setting s : values()) {
                map.put(s.key, s);
            }
            MAP = java.util.Collections.unmodifiableMap(map);
        }
    }
}
