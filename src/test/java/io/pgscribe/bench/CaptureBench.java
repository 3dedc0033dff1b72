package io.pgscribe.bench;

import static org.awaitility.Awaitility.await;

import io.pgscribe.capture.CaptureProgress;
import io.pgscribe.config.Setting;
import io.pgscribe.pg.ConnectionSpec;
import io.pgscribe.pg.LocalCluster;
import io.pgscribe.pg.Lsn;
import io.pgscribe.pg.Pg;
import io.pgscribe.pg.PgTools;
import io.pgscribe.pg.ReplicaIdentityAudit;
import io.pgscribe.testing.Pipeline;
import java.io.File;
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
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * P1, capture throughput: a workload already in WAL, then the time until every change is in
 * closed segments (pgscribe, JVM start included), against raw {@code pg_recvlogical --endpos}
 * writing the same slot's output to a file, with pgoutput and wal2json with the options pgscribe
 * uses, and with test_decoding, the fastest text plugin installed. pgscribe runs with its default
 * decoder (pgoutput) and with wal2json; with pgoutput twice: until its last segment
 * closes by the age rule, and stopped once it has written the last transaction, as
 * {@code --endpos} stops pg_recvlogical (the stop closes the segment). Each method reads its own
 * slot, created at the same point before the workload, so each decodes the same WAL.
 */
@Command(name = "capture", mixinStandardHelpOptions = true,
        description = "P1: capture throughput of pgscribe against raw pg_recvlogical on the same WAL.")
final class CaptureBench implements Callable<Integer> {

    static final String PGSCRIBE = "pgscribe run, pgoutput (to closed segments)";
    static final String PGSCRIBE_WAL2JSON = "pgscribe run, wal2json (to closed segments)";
    static final String RAW_PGOUTPUT = "pg_recvlogical -f, pgoutput";
    static final String RAW_WAL2JSON = "pg_recvlogical -f, wal2json";
    static final String RAW_TEST_DECODING = "pg_recvlogical -f, test_decoding";
    static final String STARTUP = "pgscribe runtime start (part of its run)";
    // as pg_recvlogical --endpos stops itself at the end: the stop closes the open segment at its last COMMIT,
    // so the age rule (a latency setting, not throughput) does not count
    static final String PGSCRIBE_STOPPED = "pgscribe run, stopped at the end (to closed segments)";
    static final String STOP = "pgscribe stop until its last segment is closed (part of its stopped run)";
    // what pgscribe asked wal2json for before type OIDs: what naming every column's type costs the walsender
    static final String RAW_WAL2JSON_NAMES = "pg_recvlogical -f, wal2json naming types";
    // every raw run reports its position as often as pgscribe's pg_recvlogical does (1 s); this one at the tool's default
    static final String RAW_WAL2JSON_STATUS_10 = "pg_recvlogical -f, wal2json, status every 10 s";
    static final int STATUS_INTERVAL = Integer.parseInt(Setting.SPOOL_STATUS_INTERVAL.defaultValue());

    @Option(names = "--changes", defaultValue = "1000000", description = "Row changes of the workload (10,000-row transactions).")
    int changes;

    @Option(names = "--repeats", defaultValue = "3", description = "Rounds; each runs every method once, in rotated order.")
    int repeats;

    @Option(names = "--warmup-changes", defaultValue = "200000",
            description = "Changes of one unmeasured pgscribe run first, so that the measured ones see a warm JVM "
                    + "(the runtime is long-lived); 0: none.")
    int warmupChanges;

    @Option(names = "--dir", defaultValue = "target/bench", description = "Where clusters and backups go.")
    Path dir;

    @Override
    public Integer call() throws Exception {
        Files.createDirectories(dir);
        StringBuilder report = new StringBuilder();
        List<String> methods = List.of(PGSCRIBE, PGSCRIBE_STOPPED, PGSCRIBE_WAL2JSON, RAW_PGOUTPUT, RAW_WAL2JSON,
                RAW_TEST_DECODING, RAW_WAL2JSON_NAMES, RAW_WAL2JSON_STATUS_10);
        Measurements m = new Measurements();
        try (LocalCluster cluster = LocalCluster.start(dir.toAbsolutePath(), Bench.PLUGINS, List.of("fsync=on", "max_wal_size=4GB",
                "checkpoint_timeout=30min", "max_replication_slots=20", "max_wal_senders=20"))) {
            try (Connection c = Pg.connect(cluster.connection("postgres"), "bench")) {
                report.append("### P1 capture throughput, ").append(Instant.now().toString(), 0, 10).append("\n\n")
                        .append("- Command: `bench/run capture --changes ").append(changes).append(" --repeats ").append(repeats)
                        .append(" --warmup-changes ").append(warmupChanges)
                        .append("`\n").append(Machine.describe(c)).append('\n');
            }
            if (warmupChanges > 0) {
                log("warm-up: one pgscribe run of %,d changes, not measured", warmupChanges);
                round(cluster, repeats, warmupChanges, List.of(PGSCRIBE), new Measurements());
            }
            for (int round = 0; round < repeats; round++) {
                round(cluster, round, changes, methods, m);
            }
        }
        report.append("| method | changes | median s | changes/s | runs (s) | pgscribe's throughput relative to it |\n"
                + "|---|---:|---:|---:|---|---:|\n");
        for (String method : methods) {
            double med = m.median(method);
            report.append(String.format(Locale.ROOT, "| %s | %,d | %.2f | %,.0f | %s | %s |%n",
                    method.startsWith("pgscribe") ? "**" + method + "**" : "`" + method + "`", (long) changes, med, changes / med,
                    Measurements.runsText(m.runs(method)),
                    method.equals(PGSCRIBE) ? "1.00" : String.format(Locale.ROOT, "%.2f×", m.speedup(PGSCRIBE, method))));
        }
        String fastest = methods.stream().filter(x -> !x.startsWith("pgscribe"))
                .min(java.util.Comparator.comparingDouble(m::median)).orElseThrow();
        report.append(String.format(Locale.ROOT, "%npgscribe's runtime start (Camel, routes, pg_recvlogical spawned), part of "
                + "its time above: median %.2f s (runs %s); the last segment also waits for its age rule (max-age 1 s) after "
                + "its last COMMIT%n", m.median(STARTUP), Measurements.runsText(m.runs(STARTUP))));
        report.append(String.format(Locale.ROOT, "%npgscribe's stop until its last segment is in the manifest (pg_recvlogical "
                + "stopped, the open segment closed at its last COMMIT), part of its stopped run: median %.2f s (runs %s)%n",
                m.median(STOP),
                Measurements.runsText(m.runs(STOP))));
        report.append(String.format(Locale.ROOT, "%npgscribe with pgoutput against pgscribe with wal2json: %.2f× the "
                + "throughput; raw pg_recvlogical, pgoutput against wal2json: %.2f×%n", m.speedup(PGSCRIBE, PGSCRIBE_WAL2JSON),
                m.speedup(RAW_PGOUTPUT, RAW_WAL2JSON)));
        report.append(String.format(Locale.ROOT, "%npgscribe (pgoutput) against raw pg_recvlogical with test_decoding: %.2f× "
                + "(goal: at least 1.00×)%n", m.speedup(PGSCRIBE, RAW_TEST_DECODING)));
        report.append(String.format(Locale.ROOT, "%nwal2json with type OIDs (pgscribe's options) against naming every type, "
                + "raw pg_recvlogical both: %.2f× the throughput%n", m.speedup(RAW_WAL2JSON, RAW_WAL2JSON_NAMES)));
        report.append(String.format(Locale.ROOT, "%nraw wal2json reporting its position every %d s (as pgscribe's "
                + "pg_recvlogical does) against every 10 s (pg_recvlogical's default): %.2f× the throughput%n",
                STATUS_INTERVAL, m.speedup(RAW_WAL2JSON, RAW_WAL2JSON_STATUS_10)));
        report.append(String.format(Locale.ROOT, "%npgscribe's throughput relative to the fastest raw run (`%s`), median of "
                + "the per-round ratios: %.2f× to closed segments by the age rule, %.2f× stopped at the end "
                + "(goal: at least 0.80×)%n", fastest, m.speedup(PGSCRIBE, fastest), m.speedup(PGSCRIBE_STOPPED, fastest)));
        System.out.println();
        System.out.println(report);
        return 0;
    }

    private void round(LocalCluster cluster, int round, int changes, List<String> methods, Measurements m) throws Exception {
        String db = "cap" + round;
        Path backup = dir.resolve("capture-" + round).toAbsolutePath();
        LocalCluster.deleteTree(backup);
        Workload load = Workload.bulk(changes);
        // segments close by size (16 MB) and, for the last one, after 1 s: the age rule adds at most that to the time
        Path backupStopped = dir.resolve("capture-" + round + "-stopped").toAbsolutePath();
        LocalCluster.deleteTree(backupStopped);
        Path backupWal2json = dir.resolve("capture-" + round + "-wal2json").toAbsolutePath();
        LocalCluster.deleteTree(backupWal2json);
        try (Pipeline p = Pipeline.create(cluster, db, backup, Map.of(Setting.SEGMENT_MAX_AGE.key(), "1"));
             Pipeline stopped = new Pipeline(cluster, db, backupStopped, Map.of(Setting.SEGMENT_MAX_AGE.key(), "1",
                     Setting.SLOT_NAME.key(), "pgscribe_" + db + "_stopped"));
             Pipeline wal2json = new Pipeline(cluster, db, backupWal2json, Map.of(Setting.SEGMENT_MAX_AGE.key(), "1",
                     Setting.SLOT_NAME.key(), "pgscribe_" + db + "_w2j", Setting.DECODER.key(), "wal2json"))) {
            try (Connection c = p.connect()) {
                load.prepare(c);
            }
            p.init(ReplicaIdentityAudit.Mode.REFUSE);
            if (methods.contains(PGSCRIBE_STOPPED)) {
                stopped.init(ReplicaIdentityAudit.Mode.REFUSE);
            }
            if (methods.contains(PGSCRIBE_WAL2JSON)) {
                wal2json.init(ReplicaIdentityAudit.Mode.REFUSE);
            }
            // each as pgscribe asks for it: pgoutput reading the pipeline's publication, wal2json with its type OIDs
            List<String> pgoutputOptions = p.manifest().decoderOptions();
            List<String> options = io.pgscribe.decode.DecoderPlugin.WAL2JSON.options("", 150000);
            List<String> namingTypes = new ArrayList<>(options);
            namingTypes.removeAll(io.pgscribe.decode.DecoderPlugin.WAL2JSON_TYPE_OIDS);
            Map<String, RawRun> raw = Map.of(
                    RAW_PGOUTPUT, new RawRun("raw_pgo_" + round, "pgoutput", pgoutputOptions, STATUS_INTERVAL),
                    RAW_WAL2JSON, new RawRun("raw_w2j_" + round, "wal2json", options, STATUS_INTERVAL),
                    RAW_TEST_DECODING, new RawRun("raw_td_" + round, "test_decoding", List.of(), STATUS_INTERVAL),
                    RAW_WAL2JSON_NAMES, new RawRun("raw_w2jn_" + round, "wal2json", namingTypes, STATUS_INTERVAL),
                    RAW_WAL2JSON_STATUS_10, new RawRun("raw_w2js_" + round, "wal2json", options, 10));
            try (Connection c = p.connect()) {
                for (String method : methods) {
                    if (raw.containsKey(method)) {
                        Pg.query(c, "SELECT pg_create_logical_replication_slot(?, ?)", rs -> 1, raw.get(method).slot(),
                                raw.get(method).plugin());
                    }
                }
            }
            Lsn end;
            try (Connection c = p.connect()) {
                log("round %d: writing %,d changes into WAL (nothing reads them yet)", round + 1, load.changes());
                load.run(c);
                end = CaptureProgress.fence(c);
            }
            PgTools tools = PgTools.locate("");
            try {
                for (int i = 0; i < methods.size(); i++) {
                    String method = methods.get((i + round) % methods.size());
                    long t0 = System.nanoTime();
                    if (method.equals(PGSCRIBE_WAL2JSON)) {
                        wal2json.start();
                        wal2json.awaitCovered(end, Duration.ofMinutes(30));
                        double s = (System.nanoTime() - t0) / 1e9;
                        if (wal2json.runtime().captureSink().changesWritten() != load.changes()) {
                            throw new IllegalStateException("pgscribe with wal2json wrote "
                                    + wal2json.runtime().captureSink().changesWritten() + " changes, not " + load.changes());
                        }
                        wal2json.stop();
                        m.add(method, s);
                    } else if (method.equals(PGSCRIBE)) {
                        p.start();
                        // routes up and pg_recvlogical spawned: a cost the raw runs do not have, paid once per runtime
                        m.add(STARTUP, (System.nanoTime() - t0) / 1e9);
                        p.awaitCovered(end, Duration.ofMinutes(30));
                        double s = (System.nanoTime() - t0) / 1e9;
                        if (p.runtime().captureSink().changesWritten() != load.changes()) {
                            throw new IllegalStateException("pgscribe wrote " + p.runtime().captureSink().changesWritten()
                                    + " changes, not " + load.changes());
                        }
                        p.stop();
                        m.add(method, s);
                    } else if (method.equals(PGSCRIBE_STOPPED)) {
                        stopped.start();
                        await().atMost(Duration.ofMinutes(30)).pollInterval(Duration.ofMillis(10))
                                .until(() -> {
                                    Lsn written = stopped.runtime().captureSink().lastCommitLsn();
                                    return written != null && !written.isBefore(end);
                                });
                        long t1 = System.nanoTime();
                        io.pgscribe.capture.CaptureSink sink = stopped.runtime().captureSink();
                        long written = sink.changesWritten();
                        if (written != load.changes()) {
                            throw new IllegalStateException("the stopped run wrote " + written + " changes, not " + load.changes());
                        }
                        // the moment the last segment is in the manifest, not when Camel's shutdown ends (quartz takes its time)
                        java.util.concurrent.CompletableFuture<Long> closed = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                            await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(5))
                                    .until(() -> CaptureProgress.covers(stopped.manifest(), end));
                            return System.nanoTime();
                        });
                        stopped.stop();
                        long t2 = closed.get(); // fails the benchmark if the stop did not close it
                        m.add(STOP, (t2 - t1) / 1e9);
                        m.add(method, (t2 - t0) / 1e9);
                    } else {
                        recvlogical(tools, p.source(), raw.get(method), end, dir.resolve("raw-" + round + ".out"));
                        m.add(method, (System.nanoTime() - t0) / 1e9);
                    }
                    log("round %d: %-36s %.2f s", round + 1, method, m.runs(method).get(m.runs(method).size() - 1));
                }
            } finally {
                try (Connection c = p.connect()) {
                    for (RawRun r : raw.values()) {
                        Pg.query(c, "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ?",
                                rs -> 1, r.slot());
                    }
                }
                Files.deleteIfExists(dir.resolve("raw-" + round + ".out"));
            }
        }
        LocalCluster.deleteTree(backup);
        LocalCluster.deleteTree(backupStopped);
        LocalCluster.deleteTree(backupWal2json);
        try (Connection c = Pg.connect(cluster.connection("postgres"), "bench")) {
            Pg.execute(c, "DROP DATABASE " + db + " WITH (FORCE)");
        }
    }

    /** pg_recvlogical from the slot's start to {@code end}, into a file, fsync'd as pgscribe's spool is. */
    /** A raw pg_recvlogical run: its slot, plugin, plugin options and --status-interval. */
    record RawRun(String slot, String plugin, List<String> options, int statusInterval) {
    }

    private static void recvlogical(PgTools tools, ConnectionSpec source, RawRun run, Lsn end, Path out) throws Exception {
        String slot = run.slot();
        List<String> cmd = new ArrayList<>(List.of(tools.path("pg_recvlogical"), "--no-password", "-d",
                source.conninfo("bench"), "--slot", slot, "--start", "--endpos", end.asString(), "--no-loop",
                "--fsync-interval", "1", "--status-interval", String.valueOf(run.statusInterval()), "-f", out.toString()));
        for (String o : run.options()) {
            cmd.add("-o");
            cmd.add(o);
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT).redirectInput(new File("/dev/null"));
        pb.environment().putAll(source.toolEnvironment());
        int rc = pb.start().waitFor();
        if (rc != 0) {
            throw new IllegalStateException("pg_recvlogical for " + slot + " exited with " + rc);
        }
    }

    static void log(String format, Object... args) {
        System.err.println(String.format(Locale.ROOT, format, args));
    }
}
