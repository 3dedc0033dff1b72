package io.pgscribe.base;

import io.pgscribe.manifest.GlobalsEntry;
import io.pgscribe.server.ConnectionSpec;
import io.pgscribe.server.PgTools;
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
        String name = BaseBackup.NAME_TIME.format(now) + ".sql";
        Path target = backupDir.resolve("globals").resolve(name);
        List<String> cmd = new ArrayList<>(List.of(tools.path("pg_dumpall"), "--globals-only", "--quote-all-identifiers",
                "--no-password", "--dbname=" + spec.conninfo("pgscribe-globals")));
        if (noRolePasswords) {
            cmd.add("--no-role-passwords");
        }
        DumpFiles.Published p = DumpFiles.run("pg_dumpall --globals-only", cmd, target, spec.toolEnvironment(), timeout);
        return new GlobalsEntry("globals/" + name, now.toString(), p.bytes(), p.sha256());
    }
}
