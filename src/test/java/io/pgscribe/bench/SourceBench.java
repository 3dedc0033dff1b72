package io.pgscribe.bench;

import io.pgscribe.config.Setting;
import io.pgscribe.pg.ConnectionSpec;
import io.pgscribe.pg.LocalCluster;
import io.pgscribe.pg.Pg;
import io.pgscribe.pg.PgTools;
import io.pgscribe.pg.ReplicaIdentityAudit;
import io.pgscribe.testing.Pipeline;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * P3 and P4 under a steady pgbench load (TPC-B-like): the source's TPS with no capture, with a
 * bare pg_recvlogical writing a file, and with pgscribe running (rotated order, a fresh slot
 * each run), pgscribe with its shipped settings (gzip) and once more with zstd, and the CPU its
 * JVM spent per change; then, in
 * one more pgscribe run under the same load whose TPS is not counted, the delay from a probe
 * transaction's commit until the slot's confirmed_flush_lsn passes it, which pg_recvlogical
 * reports only after fsync'ing the spool: the transaction is then durable on the backup disk
 * (the RPO). Each decoder named runs with its own backup set and slot on the same database, and bare
 * pg_recvlogical with that decoder and the set's options: one run compares the decoders side by side.
 */
@Command(name = "source", mixinStandardHelpOptions = true,
        description = "P3: pgbench TPS without capture, with bare pg_recvlogical, with pgscribe, per decoder; P4: commit-to-spool delay.")
final class SourceBench implements Callable<Integer> {

    static final String NONE = "no capture";
    static final String BARE = "bare pg_recvlogical -f";
    static final String PGSCRIBE = "pgscribe run";

    @Option(names = "--decoders", split = ",", defaultValue = "pgoutput,wal2json",
            description = "Decoders measured side by side in the same run, each with its own backup set and slot "
                    + "(bare pg_recvlogical too); the first also runs once with zstd.")
    List<String> decoders;

    @Option(names = "--seconds", defaultValue = "30", description = "Length of each pgbench run.")
    int seconds;

    @Option(names = "--clients", defaultValue = "4", description = "pgbench clients.")
    int clients;

    @Option(names = "--repeats", defaultValue = "3", description = "Rounds; each runs every configuration once, in rotated order.")
    int repeats;

    @Option(names = "--dir", defaultValue = "target/bench", description = "Where the cluster goes (and backups, unless --backup-dir).")
    Path dir;

    @Option(names = "--backup-dir", description = "Where pgscribe's backup set and bare pg_recvlogical's file go, when not "
            + "on the cluster's disk (e.g. /dev/shm/pgscribe-bench: what the backup's writes cost the server's fsyncs drops out).")
    Path backupDir;

    /** One configuration of a round: nothing, bare pg_recvlogical on a set's decoder and options, or a set's runtime. */
    private record Config(String label, Kind kind, Pipeline pipeline, String bareOf) {
    }

    private enum Kind { NONE, BARE, PGSCRIBE }

    private final Map<String, List<Double>> rpo = new java.util.LinkedHashMap<>();

    static String bare(String decoder) {
        return BARE + ", " + decoder;
    }

    static String pgscribe(String decoder) {
        return PGSCRIBE + ", " + decoder;
    }

    @Override
    public Integer call() throws Exception {
        Files.createDirectories(dir);
        StringBuilder report = new StringBuilder();
        Measurements tps = new Measurements();
        Path backups = (backupDir == null ? dir : backupDir).toAbsolutePath();
        Files.createDirectories(backups);
        List<Config> configs = new ArrayList<>(List.of(new Config(NONE, Kind.NONE, null, null)));
        try (LocalCluster cluster = LocalCluster.start(dir.toAbsolutePath(), Bench.PLUGINS, List.of("fsync=on", "synchronous_commit=on",
                "max_wal_size=4GB", "max_replication_slots=20", "max_wal_senders=20"))) {
            try (Connection c = Pg.connect(cluster.connection("postgres"), "bench")) {
                report.append("### P3 source overhead and P4 RPO, ").append(Instant.now().toString(), 0, 10).append("\n\n")
                        .append("- Command: `bench/run source --seconds ").append(seconds).append(" --clients ").append(clients)
                        .append(" --repeats ").append(repeats).append(" --decoders ").append(String.join(",", decoders))
                        .append(backupDir == null ? "" : " --backup-dir " + backupDir)
                        .append("`\n").append(Machine.describe(c)).append('\n');
            }
            // pgscribe as shipped (the tests' fast polling and no compression would not be what users run), but
            // segments at most 5 s old instead of 60, so that waiting for the last one does not stretch each round:
            // under this load segments close by size (16 MB) about every 5 s anyway
            Map<String, String> shipped = new java.util.HashMap<>();
            for (Setting s : List.of(Setting.CAPTURE_TICK_MS, Setting.SPOOL_POLL_DELAY_MS,
                    Setting.COMPRESSION, Setting.HEARTBEAT_INTERVAL_MS, Setting.SEQUENCES_SAMPLE_INTERVAL_MS)) {
                shipped.put(s.key(), s.defaultValue());
            }
            shipped.put(Setting.SEGMENT_MAX_AGE.key(), "5");
            List<Pipeline> pipelines = new ArrayList<>();
            try {
                // one database, one backup set and slot per decoder: every configuration runs on the same tables
                Pipeline first = null;
                Map<String, String> zstd = null;
                Path firstSet = null;
                for (String decoder : decoders) {
                    Map<String, String> settings = new java.util.HashMap<>(shipped);
                    settings.put(Setting.DECODER.key(), decoder);
                    settings.put(Setting.SLOT_NAME.key(), "pgscribe_pgb_" + decoder);
                    Path set = backups.resolve("source-backup-" + decoder);
                    LocalCluster.deleteTree(set); // a run that was stopped leaves its set behind
                    Pipeline p = first == null ? Pipeline.create(cluster, "pgb", set, settings) : new Pipeline(cluster, "pgb", set, settings);
                    pipelines.add(p);
                    if (first == null) {
                        first = p;
                        firstSet = set;
                        zstd = new java.util.HashMap<>(settings);
                        zstd.put(Setting.COMPRESSION.key(), "zstd");
                        PgTools tools = PgTools.locate("");
                        pgbench(tools, p.source(), List.of("-i", "-q", "-s", "10"));
                        try (Connection c = p.connect()) {
                            Pg.execute(c, "CREATE TABLE rpo_probe (id bigserial PRIMARY KEY, at timestamptz DEFAULT clock_timestamp())");
                            // pgbench_history has no primary key: FULL identity, as init --replica-identity=full would set
                            Pg.execute(c, "ALTER TABLE pgbench_history REPLICA IDENTITY FULL");
                        }
                    }
                    p.init(ReplicaIdentityAudit.Mode.REFUSE);
                    configs.add(new Config(bare(decoder), Kind.BARE, p, null));
                    configs.add(new Config(pgscribe(decoder), Kind.PGSCRIBE, p, bare(decoder)));
                }
                // the first set once more with zstd instead of gzip: the compress route reads its method from the settings
                configs.add(new Config(pgscribe(decoders.get(0)) + ", zstd", Kind.PGSCRIBE,
                        new Pipeline(cluster, "pgb", firstSet, zstd), bare(decoders.get(0))));
                PgTools tools = PgTools.locate("");
                for (int round = 0; round < repeats; round++) {
                    for (int i = 0; i < configs.size(); i++) {
                        Config config = configs.get((i + round) % configs.size());
                        double t = run(config, first, tools, backups, round, false);
                        tps.add(config.label(), t);
                        log("round %d: %-36s %.0f TPS", round + 1, config.label(), t);
                    }
                }
                // P4 in runs of their own: the probe's queries must not count against pgscribe's TPS
                for (Config config : configs) {
                    if (config.kind() == Kind.PGSCRIBE && !config.label().endsWith("zstd")) {
                        double t = run(config, first, tools, backups, repeats, true);
                        log("P4 run, %s (TPS not counted): %.0f TPS", config.label(), t);
                    }
                }
            } finally {
                for (Pipeline p : pipelines) {
                    p.close(); // each uninstalls its own slot (and publication)
                }
            }
        }
        report.append("| configuration | median TPS | runs | TPS relative to no capture |\n|---|---:|---|---:|\n");
        for (Config c : configs) {
            report.append(String.format(Locale.ROOT, "| %s | %.0f | %s | %.3f |%n",
                    c.kind() == Kind.PGSCRIBE ? "**" + c.label() + "**" : c.label(),
                    tps.median(c.label()), Measurements.runsText(tps.runs(c.label())), 1 / tps.speedup(c.label(), NONE)));
        }
        for (Config c : configs) {
            if (c.kind() != Kind.PGSCRIBE) {
                continue;
            }
            double bare = 1 / tps.speedup(c.bareOf(), NONE);
            List<Double> points = pointsByRound(tps, c.label(), c.bareOf());
            report.append(String.format(Locale.ROOT, "%n%s costs %.1f TPS-percentage points beyond %s "
                    + "(goal: at most 3); paired by round, %s points (median %.1f)%n", c.label(),
                    100 * (bare - 1 / tps.speedup(c.label(), NONE)), c.bareOf(), Measurements.runsText(points),
                    Measurements.median(points)));
        }
        for (Config c : configs) {
            if (c.kind() == Kind.PGSCRIBE) {
                report.append(String.format(Locale.ROOT, "%nCPU of the pgscribe runtime (this JVM, pg_recvlogical not included) "
                        + "during its pgbench runs, %s: median %.1f%% of one core, %.1f µs per change written meanwhile (runs: %s µs)%n",
                        c.label(), cpu.median(c.label() + " share") * 100, cpu.median(c.label() + " perChange"),
                        Measurements.runsText(cpu.runs(c.label() + " perChange"))));
            }
        }
        for (Map.Entry<String, List<Double>> e : rpo.entrySet()) {
            List<Double> delays = e.getValue();
            Collections.sort(delays);
            report.append(String.format(Locale.ROOT, "%nP4, commit to fsync'd spool (confirmed_flush_lsn past the commit) while "
                    + "%s runs under the load: %d probes, p50 %.0f ms, p99 %.0f ms, max %.0f ms (goal: p99 at most 2 s).%n",
                    e.getKey(), delays.size(), pct(delays, 50), pct(delays, 99),
                    delays.isEmpty() ? Double.NaN : delays.get(delays.size() - 1)));
        }
        System.out.println();
        System.out.println(report);
        return 0;
    }

    /**
     * Per round, the points of TPS (relative to that round's run without capture) that {@code ours} lost beyond
     * bare pg_recvlogical on the same decoder: the runs of one round are minutes apart, not the whole benchmark.
     */
    private static List<Double> pointsByRound(Measurements tps, String ours, String bare) {
        List<Double> points = new ArrayList<>();
        for (int r = 0; r < tps.runs(NONE).size(); r++) {
            double none = tps.runs(NONE).get(r);
            points.add(100 * (tps.runs(bare).get(r) - tps.runs(ours).get(r)) / none);
        }
        return points;
    }

    private static double pct(List<Double> sorted, int p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    private final Measurements cpu = new Measurements();

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private double run(Config config, Pipeline any, PgTools tools, Path backups, int round, boolean probing) throws Exception {
        Process bare = null;
        Pipeline p = config.pipeline();
        String slot = "bare_" + round;
        Path out = backups.resolve("bare.out");
        boolean ours = config.kind() == Kind.PGSCRIBE;
        if (config.kind() == Kind.BARE) {
            try (Connection c = p.connect()) {
                // the set's decoder with the set's options (pgoutput reads the set's publication)
                Pg.query(c, "SELECT pg_create_logical_replication_slot(?, ?)", rs -> 1, slot, p.manifest().decoder());
            }
            List<String> cmd = new ArrayList<>(List.of(tools.path("pg_recvlogical"), "--no-password", "-d",
                    p.source().conninfo("bench"), "--slot", slot, "--start", "--fsync-interval", "1", "-f", out.toString()));
            for (String o : p.manifest().decoderOptions()) {
                cmd.add("-o");
                cmd.add(o);
            }
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.INHERIT).redirectInput(new File("/dev/null"));
            pb.environment().putAll(p.source().toolEnvironment());
            bare = pb.start();
        } else if (ours) {
            p.start();
            // the backlog of the other runs first (other sets' runs leave this slot behind): measured is the steady state
            p.awaitCovered(p.fence(), java.time.Duration.ofMinutes(15));
        }
        Thread prober = null;
        if (probing) {
            List<Double> delays = rpo.computeIfAbsent(config.label(), k -> new ArrayList<>());
            prober = new Thread(() -> probe(p, delays), "rpo-probe");
            prober.start();
        }
        try {
            long cpu0 = processCpuNanos();
            long changes0 = ours ? p.runtime().captureSink().changesWritten() : 0;
            // the probe's run is as long as all rounds of one configuration: about one probe a second
            double result = pgbench(tools, any.source(), List.of("-n", "-c", String.valueOf(clients), "-j", "2", "-T",
                    String.valueOf(probing ? seconds * repeats : seconds)));
            if (ours && !probing) {
                // while pgbench ran, and nothing of the benchmark's own (no awaiting, no probe): the runtime keeps up
                // with the load (P4), so the changes written in that time are the ones that CPU went into
                double cpuNanos = processCpuNanos() - cpu0;
                long changes = p.runtime().captureSink().changesWritten() - changes0;
                cpu.add(config.label() + " share", cpuNanos / (seconds * 1e9));
                cpu.add(config.label() + " perChange", cpuNanos / 1000.0 / Math.max(1, changes));
            }
            return result;
        } finally {
            if (prober != null) {
                prober.interrupt();
                prober.join();
            }
            if (bare != null) {
                bare.destroy();
                bare.waitFor();
                try (Connection c = p.connect()) {
                    Pg.query(c, "SELECT pg_drop_replication_slot(?)", rs -> 1, slot);
                }
                Files.deleteIfExists(out);
            }
            if (ours) {
                p.stop();
            }
        }
    }

    /** Every 250 ms a probe transaction; the time until the slot's confirmed_flush_lsn passes its commit. */
    private static void probe(Pipeline p, List<Double> rpo) {
        try (Connection c = p.connect()) {
            String slot = p.settings().get(Setting.SLOT_NAME);
            while (!Thread.currentThread().isInterrupted()) {
                Pg.execute(c, "INSERT INTO rpo_probe DEFAULT VALUES");
                long t0 = System.nanoTime();
                String lsn = Pg.string(c, "SELECT pg_current_wal_insert_lsn()::text");
                while (!Thread.currentThread().isInterrupted()) {
                    Boolean done = Pg.query(c, "SELECT confirmed_flush_lsn >= ?::pg_lsn FROM pg_replication_slots WHERE slot_name = ?",
                            rs -> rs.getBoolean(1), lsn, slot).get(0);
                    if (done) {
                        synchronized (rpo) {
                            rpo.add((System.nanoTime() - t0) / 1e6);
                        }
                        break;
                    }
                    Thread.sleep(10); // polling the server's view; the delay measured is far longer
                }
                Thread.sleep(250);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log("probe stopped: %s", e.getMessage());
        }
    }

    /** Runs pgbench; returns its TPS (for -T runs). */
    private static double pgbench(PgTools tools, ConnectionSpec db, List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(tools.path("pgbench"));
        cmd.addAll(args);
        cmd.add(db.conninfo("pgbench"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(db.toolEnvironment());
        Process proc = pb.start();
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (proc.waitFor() != 0) {
            throw new IllegalStateException("pgbench failed: " + out);
        }
        Matcher m = Pattern.compile("tps = ([0-9.]+)").matcher(out);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    static void log(String format, Object... args) {
        System.err.println(String.format(Locale.ROOT, format, args));
    }
}
