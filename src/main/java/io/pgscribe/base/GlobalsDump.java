package io.pgscribe.base;

import io.pgscribe.manifest.GlobalsEntry;
import io.pgscribe.pg.ConnectionSpec;
import io.pgscribe.pg.PgTools;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** {@code pg_dumpall --globals-only}: roles, tablespaces and other objects no event trigger sees. */
public final class GlobalsDump {

    private GlobalsDump() {
    }

    public static GlobalsEntry take(PgTools tools, ConnectionSpec spec, Path backupDir, boolean noRolePasswords,
                                    Clock clock, Duration timeout) {
        Instant now = clock.instant();
        String name = fileName(now);
        Path target = backupDir.resolve("globals").resolve(name);
        List<String> cmd = new ArrayList<>();
        cmd.add(tools.path("pg_dumpall"));
        cmd.addAll(arguments(spec.conninfo("pgscribe-globals"), noRolePasswords));
        DumpFiles.Published p = DumpFiles.run("pg_dumpall --globals-only", cmd, target, spec.toolEnvironment(), timeout);
        return entry(name, now, p);
    }

    static String fileName(Instant when) {
        return BaseBackup.NAME_TIME.format(when) + ".sql";
    }

    static List<String> arguments(String conninfo, boolean noRolePasswords) {
        List<String> args = new ArrayList<>(List.of("--globals-only", "--quote-all-identifiers", "--no-password",
                "--dbname=" + conninfo));
        if (noRolePasswords) {
            args.add("--no-role-passwords");
        }
        return args;
    }

    static GlobalsEntry entry(String name, Instant takenAt, DumpFiles.Published p) {
        return new GlobalsEntry("globals/" + name, takenAt.toString(), p.bytes(), p.sha256());
    }
}
