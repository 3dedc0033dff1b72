package io.pgscribe.base;

import io.pgscribe.manifest.BaseEntry;
import io.pgscribe.pg.ConnectionSpec;
import io.pgscribe.pg.Lsn;
import io.pgscribe.pg.PgTools;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * A base: {@code pg_dump} of the whole database (large objects too) through a snapshot
 * exported at a known LSN, with every identifier quoted (so tomorrow's keywords do not
 * break it); plain SQL by default (readable in ten years), pg_dump's custom archive as an option.
 */
public final class BaseBackup {

    static final DateTimeFormatter NAME_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private BaseBackup() {
    }

    /** {@code pgscribe.base.format}: what pg_dump writes. */
    public enum Format {
        /** SQL text, valid psql input: readable without any PostgreSQL tool. */
        PLAIN("plain", ".sql"),
        /** pg_dump's compressed archive, read with pg_restore (of the same or a later version). */
        CUSTOM("custom", ".dump");

        private final String name;
        private final String extension;

        Format(String name, String extension) {
            this.name = name;
            this.extension = extension;
        }

        public String formatName() {
            return name;
        }

        public static Format fromName(String value) {
            for (Format f : values()) {
                if (f.name.equals(value == null ? "" : value.strip().toLowerCase(java.util.Locale.ROOT))) {
                    return f;
                }
            }
            throw new io.pgscribe.PgscribeException("pgscribe.base.format is \"" + value + "\", which is not plain or custom",
                    "Set pgscribe.base.format=plain (SQL text, the default) or custom (pg_dump's archive, read with pg_restore).",
                    io.pgscribe.ExitCode.USAGE, null);
        }
    }

    /** Base files are named {@code base/<consistent point, 16 hex>-<UTC time>.sql} ({@code .dump} for custom format). */
    public static String fileName(Lsn consistentPoint, Instant when, Format format) {
        return consistentPoint.asHex16() + "-" + NAME_TIME.format(when) + format.extension;
    }

    /** A base file's name without its extensions: its sidecars are named after it. */
    public static String stem(String file) {
        return file.replaceFirst("\\.(sql|dump)(\\.gz|\\.zst)?$", "");
    }

    public static BaseEntry take(PgTools tools, ConnectionSpec spec, String snapshot, Lsn consistentPoint, Path backupDir,
                                 Clock clock, Duration timeout, Format format) {
        Instant now = clock.instant();
        String name = fileName(consistentPoint, now, format);
        Path target = backupDir.resolve("base").resolve(name);
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(tools.path("pg_dump"));
        cmd.addAll(arguments(snapshot, spec.conninfo("pgscribe-base"), format));
        DumpFiles.Published p = DumpFiles.run("pg_dump", cmd, target, spec.toolEnvironment(), timeout);
        return entry(name, consistentPoint, snapshot, now, p, format);
    }

    /** pg_dump's arguments but the output file: the whole database (large objects too) in the exported snapshot. */
    static List<String> arguments(String snapshot, String conninfo, Format format) {
        return List.of("--snapshot=" + snapshot, "--format=" + format.formatName(), "--quote-all-identifiers",
                "--no-password", "--dbname=" + conninfo);
    }

    static BaseEntry entry(String name, Lsn consistentPoint, String snapshot, Instant takenAt, DumpFiles.Published p,
                           Format format) {
        return new BaseEntry("base/" + name, format.formatName(), consistentPoint.asString(), snapshot, takenAt.toString(),
                p.bytes(), p.sha256(), null, null);
    }
}
