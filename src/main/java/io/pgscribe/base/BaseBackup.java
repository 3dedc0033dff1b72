package io.pgscribe.base;

import io.pgscribe.manifest.BaseEntry;
import io.pgscribe.server.ConnectionSpec;
import io.pgscribe.server.PgTools;
import io.pgscribe.slot.Lsn;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * A base: {@code pg_dump} of the whole database through a snapshot exported at a known
 * LSN, in plain SQL (readable in ten years) with every identifier quoted (so tomorrow's
 * keywords do not break it).
 */
public final class BaseBackup {

    static final DateTimeFormatter NAME_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private BaseBackup() {
    }

    /** Base files are named {@code base/<consistent point, 16 hex>-<UTC time>.sql}. */
    public static String fileName(Lsn consistentPoint, Instant when) {
        return consistentPoint.asHex16() + "-" + NAME_TIME.format(when) + ".sql";
    }

    public static BaseEntry take(PgTools tools, ConnectionSpec spec, String snapshot, Lsn consistentPoint, Path backupDir,
                                 Clock clock, Duration timeout) {
        Instant now = clock.instant();
        String name = fileName(consistentPoint, now);
        Path target = backupDir.resolve("base").resolve(name);
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(tools.path("pg_dump"));
        cmd.addAll(arguments(snapshot, spec.conninfo("pgscribe-base")));
        DumpFiles.Published p = DumpFiles.run("pg_dump", cmd, target, spec.toolEnvironment(), timeout);
        return entry(name, consistentPoint, snapshot, now, p);
    }

    /** pg_dump's arguments but the output file: the whole database (large objects too) in the exported snapshot. */
    static List<String> arguments(String snapshot, String conninfo) {
        return List.of("--snapshot=" + snapshot, "--format=plain", "--quote-all-identifiers", "--no-password",
                "--dbname=" + conninfo);
    }

    static BaseEntry entry(String name, Lsn consistentPoint, String snapshot, Instant takenAt, DumpFiles.Published p) {
        return new BaseEntry("base/" + name, "plain", consistentPoint.asString(), snapshot, takenAt.toString(), p.bytes(),
                p.sha256(), null, null);
    }
}
