package io.pgscribe.bench;

import io.pgscribe.pg.Pg;
import io.pgscribe.pg.PgTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

/** What a result was measured on, for the header of a results section. */
final class Machine {

    private Machine() {
    }

    static String describe(Connection c) throws SQLException {
        return "- Machine: " + Runtime.getRuntime().availableProcessors() + " cores (" + cpuModel() + "), "
                + memoryGiB() + " GiB memory\n"
                + "- PostgreSQL: " + Pg.string(c, "SHOW server_version") + " (fsync=" + Pg.string(c, "SHOW fsync")
                + ", synchronous_commit=" + Pg.string(c, "SHOW synchronous_commit") + "), wal2json "
                + packageVersion("postgresql-" + Pg.string(c, "SHOW server_version_num").substring(0, 2) + "-wal2json") + "\n"
                + "- Java: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.version") + "\n";
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElse("unknown CPU");
        } catch (IOException e) {
            return "unknown CPU";
        }
    }

    private static long memoryGiB() {
        try {
            String line = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                    .findFirst().orElse("MemTotal: 0 kB");
            return Math.round(Long.parseLong(line.replaceAll("[^0-9]", "")) / (1024.0 * 1024));
        } catch (IOException e) {
            return 0;
        }
    }

    private static String packageVersion(String pkg) {
        try {
            PgTools.Result r = PgTools.run(List.of("dpkg-query", "-W", "-f", "${Version}", pkg), java.util.Map.of(),
                    Duration.ofSeconds(10));
            return r.ok() ? r.stdout().strip() : "(version unknown)";
        } catch (RuntimeException e) {
            return "(version unknown)";
        }
    }
}
