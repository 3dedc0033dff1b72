package io.pgscribe.bench;

import io.pgscribe.capture.CaptureProgress;
import io.pgscribe.config.Setting;
import io.pgscribe.pg.LocalCluster;
import io.pgscribe.pg.Lsn;
import io.pgscribe.pg.Pg;
import io.pgscribe.pg.ReplicaIdentityAudit;
import io.pgscribe.testing.Pipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * P5, memory: the peak resident set of a pgscribe runtime (its own JVM, as deployed) while it
 * captures one transaction of N rows, for a small and a large N: a transaction streams to
 * disk, so the peak must not grow with its size.
 */
@Command(name = "memory", mixinStandardHelpOptions = true,
        description = "P5: peak RSS of the runtime JVM capturing one large transaction, at two sizes.")
final class MemoryBench implements Callable<Integer> {

    @Option(names = "--rows", split = ",", defaultValue = "500000,5000000", description = "Rows of the one transaction, per run.")
    List<Long> rows;

    @Option(names = "--jvm-options", defaultValue = "-Xmx192m", description = "JVM options of the runtime (as JAVA_OPTS).")
    String jvmOptions;

    @Option(names = "--dir", defaultValue = "target/bench", description = "Where clusters and backups go.")
    Path dir;

    @Override
    public Integer call() throws Exception {
        Files.createDirectories(dir);
        StringBuilder report = new StringBuilder();
        try (LocalCluster cluster = LocalCluster.start(dir.toAbsolutePath(), Bench.PLUGINS, List.of("fsync=on", "max_wal_size=8GB",
                "checkpoint_timeout=30min", "logical_decoding_work_mem=64MB"))) {
            try (Connection c = Pg.connect(cluster.connection("postgres"), "bench")) {
                report.append("### P5 memory, ").append(Instant.now().toString(), 0, 10).append("\n\n")
                        .append("- Command: `bench/run memory --rows ")
                        .append(String.join(",", rows.stream().map(String::valueOf).toList()))
                        .append(" --jvm-options=\"").append(jvmOptions).append("\"`\n").append(Machine.describe(c)).append('\n');
            }
            report.append("| rows in the one transaction | capture s | peak RSS of the runtime JVM (VmHWM) |\n|---:|---:|---:|\n");
            int run = 0;
            for (long n : rows) {
                report.append(run(cluster, run++, n));
            }
        }
        System.out.println();
        System.out.println(report);
        return 0;
    }

    private String run(LocalCluster cluster, int run, long n) throws Exception {
        String db = "mem" + run;
        Path backup = dir.resolve("memory-" + run).toAbsolutePath();
        LocalCluster.deleteTree(backup);
        try (Pipeline p = Pipeline.create(cluster, db, backup, Map.of(Setting.SEGMENT_MAX_AGE.key(), "1"))) {
            try (Connection c = p.connect()) {
                Pg.execute(c, "CREATE TABLE big (id bigint PRIMARY KEY, v text, n numeric)");
            }
            p.init(ReplicaIdentityAudit.Mode.REFUSE);
            Lsn end;
            try (Connection c = p.connect()) {
                log("run %d: one transaction of %,d rows into WAL", run + 1, n);
                Pg.execute(c, "INSERT INTO big SELECT g, md5(g::text), g / 3.0 FROM generate_series(1, " + n + ") g");
                end = CaptureProgress.fence(c);
            }
            Path config = p.writeConfig(dir.resolve("memory-" + run + ".properties").toAbsolutePath());
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.addAll(List.of(jvmOptions.trim().split("\\s+")));
            cmd.addAll(List.of("-jar", Path.of("target/pgscribe.jar").toAbsolutePath().toString(), "--config", config.toString(),
                    "run"));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("memory-" + run + ".log").toFile());
            pb.environment().put("PGSCRIBE_SOURCE_PASSWORD", p.source().password());
            long t0 = System.nanoTime();
            Process jvm = pb.start();
            try {
                while (!CaptureProgress.covers(p.manifest(), end)) {
                    if (!jvm.isAlive()) {
                        throw new IllegalStateException("the runtime exited with " + jvm.exitValue() + "; see "
                                + dir.resolve("memory-" + run + ".log"));
                    }
                    if (System.nanoTime() - t0 > Duration.ofMinutes(30).toNanos()) {
                        throw new IllegalStateException("the capture did not finish in 30 minutes");
                    }
                    TimeUnit.MILLISECONDS.sleep(200); // polling an observable end state, not a synchronisation
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                long hwmKb = statusKb(jvm.pid(), "VmHWM");
                log("run %d: captured in %.1f s, peak RSS %,d kB", run + 1, seconds, hwmKb);
                return String.format(Locale.ROOT, "| %,d | %.1f | %.0f MB |%n", n, seconds, hwmKb / 1024.0);
            } finally {
                jvm.destroy();
                jvm.waitFor(60, TimeUnit.SECONDS);
                LocalCluster.deleteTree(backup);
            }
        } finally {
            try (Connection c = Pg.connect(cluster.connection("postgres"), "bench")) {
                Pg.execute(c, "DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
            }
        }
    }

    /** A figure of /proc/PID/status, in kB. */
    private static long statusKb(long pid, String field) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException(field + " not in /proc/" + pid + "/status");
    }

    static void log(String format, Object... args) {
        System.err.println(String.format(Locale.ROOT, format, args));
    }
}
