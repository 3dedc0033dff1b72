package io.pgscribe.testing;

import static org.awaitility.Awaitility.await;

import io.pgscribe.capture.CaptureProgress;
import io.pgscribe.config.Setting;
import io.pgscribe.config.Settings;
import io.pgscribe.init.Initializer;
import io.pgscribe.init.Uninstaller;
import io.pgscribe.manifest.Manifest;
import io.pgscribe.manifest.ManifestStore;
import io.pgscribe.pg.ConnectionSpec;
import io.pgscribe.pg.LocalCluster;
import io.pgscribe.pg.Lsn;
import io.pgscribe.pg.Pg;
import io.pgscribe.pg.PgServer;
import io.pgscribe.pg.PgTools;
import io.pgscribe.pg.ReplicaIdentityAudit;
import io.pgscribe.restore.Restorer;
import io.pgscribe.runtime.PgscribeRuntime;
import io.pgscribe.verify.Verifier;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * One pgscribe pipeline against a test cluster: init, the runtime in this JVM, a fence to
 * wait on, restore, verify, and removal of the slot at the end.
 */
public final class Pipeline implements AutoCloseable {

    public final PgServer cluster;
    // the capture's own writes into the source, slow by default so that they do not disturb other tests
    static final Map<String, String> QUIET = Map.of("pgscribe.sequences.sample-interval-ms", "3600000",
            "pgscribe.heartbeat.interval-ms", "3600000");
    public final String database;
    public final Path backupDir;
    private final Settings settings;
    private PgscribeRuntime runtime;
    public final ByteArrayOutputStream output = new ByteArrayOutputStream();
    public final PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8);

    public Pipeline(PgServer cluster, String database, Path backupDir, Map<String, String> extra) {
        this.cluster = cluster;
        this.database = database;
        this.backupDir = backupDir;
        Map<String, String> s = new HashMap<>();
        s.put(Setting.BACKUP_DIR.key(), backupDir.toString());
        s.put(Setting.SLOT_NAME.key(), "pgscribe_" + database);
        s.put(Setting.SEGMENT_MAX_AGE.key(), "1");
        s.put(Setting.CAPTURE_TICK_MS.key(), "200");
        s.put(Setting.SPOOL_POLL_DELAY_MS.key(), "10");
        s.put(Setting.CAPTURE_RESTART_DELAY.key(), "1");
        s.put(Setting.CAPTURE_RESTART_MAX_DELAY.key(), "2");
        s.put("camel.main.routes-include-pattern", "file:routes/*.camel.yaml");
        s.put("camel.routecontroller.enabled", "true");
        s.putAll(QUIET);
        // most tests read segment and base files as text; CompressionIT runs the compress route on purpose
        s.put(Setting.COMPRESSION.key(), "none");
        s.put(Setting.BACKUP_SIGNING_KEY.key(), TestKeys.signingKeyFile().toString());
        s.putAll(extra);
        this.settings = cluster.connection(database).pipelineSettings(s);
    }

    /** {@code extra} with the set's decoder: for tests that run once per decoder. */
    public static Map<String, String> withDecoder(Map<String, String> extra, String decoder) {
        Map<String, String> all = new HashMap<>(extra);
        all.put(io.pgscribe.config.Setting.DECODER.key(), decoder);
        return all;
    }

    public static Pipeline create(PgServer cluster, String database, Path backupDir) throws SQLException {
        return create(cluster, database, backupDir, Map.of());
    }

    public static Pipeline create(PgServer cluster, String database, Path backupDir, Map<String, String> extra)
            throws SQLException {
        try (Connection c = Pg.connect(cluster.connection("postgres"), "test")) {
            Pg.execute(c, "CREATE DATABASE " + database);
        }
        return new Pipeline(cluster, database, backupDir, extra);
    }

    /** The files in the spool now (this set's decoder's), in order. */
    public java.util.List<io.pgscribe.spool.SpoolFile> spoolFiles() {
        return io.pgscribe.capture.CaptureSink.spoolOf(backupDir.resolve("spool"),
                io.pgscribe.decode.DecoderPlugin.fromName(settings.get(io.pgscribe.config.Setting.DECODER))).list();
    }

    /** What the runtime of this pipeline logged (io.pgscribe loggers), captured in memory. */
    public String runtimeLog() {
        return LogCapture.text();
    }

    public Settings settings() {
        return settings;
    }

    public ConnectionSpec source() {
        return cluster.connection(database);
    }

    public Connection connect() {
        return Pg.connect(source(), "test-workload");
    }

    public Initializer.Result init(ReplicaIdentityAudit.Mode mode) throws SQLException {
        return new Initializer(settings, out, Clock.systemUTC()).run(new Initializer.Options(mode, false));
    }

    public PgscribeRuntime start() throws Exception {
        runtime = PgscribeRuntime.create(settings);
        runtime.start();
        return runtime;
    }

    public void stop() throws Exception {
        if (runtime != null) {
            runtime.stop();
            runtime = null;
        }
    }

    public PgscribeRuntime runtime() {
        return runtime;
    }

    /**
     * The known end of a workload: the WAL position after it, and a transaction committed
     * after that position, so the capture has something to pass it by.
     */
    public Lsn fence() throws SQLException {
        try (Connection c = connect()) {
            return CaptureProgress.fence(c);
        }
    }

    /** Waits until every transaction committed before {@code lsn} is in a closed segment. */
    public void awaitCovered(Lsn lsn, Duration atMost) {
        await().atMost(atMost).pollInterval(Duration.ofMillis(100)).until(() -> CaptureProgress.covers(manifest(), lsn));
    }

    public void fenceAndWait() throws SQLException {
        awaitCovered(fence(), Duration.ofSeconds(60));
    }

    /** The set's manifest as its runtime writes it: signed with the test key. */
    public ManifestStore store() {
        return new ManifestStore(backupDir, io.pgscribe.manifest.SetTrust.writer(TestKeys.key()));
    }

    public Manifest manifest() {
        return ManifestStore.readUnverified(backupDir.resolve(ManifestStore.FILE_NAME));
    }

    public Restorer.Summary restore(String target) throws SQLException {
        return new Restorer(PgTools.locate(""), out, io.pgscribe.testing.TestKeys.reader()).run(new Restorer.Options(backupDir, source(),
                cluster.connection("postgres"), target));
    }

    public Verifier.Report verify(String restored) throws SQLException {
        return Verifier.compare(source(), cluster.connection(restored));
    }

    /** A command line run against this pipeline's settings: its exit code and what it printed. */
    public record Cli(int code, String out, String err) {
    }

    /** Runs {@code pgscribe <args>} in this JVM with this pipeline's settings as -s flags, its secrets in the environment. */
    public synchronized Cli cli(String... args) {
        return cliWith(Map.of(), args);
    }

    /** As {@link #cli(String...)}, with {@code extraEnvironment} too (a target's password, say). */
    public synchronized Cli cliWith(Map<String, String> extraEnvironment, String... args) {
        java.util.List<String> all = new java.util.ArrayList<>();
        Map<String, String> env = new HashMap<>(System.getenv());
        env.putAll(extraEnvironment);
        for (Setting s : Setting.values()) {
            if (s.isSecret()) {
                env.put(s.environmentVariable(), settings.get(s));
            } else {
                all.add("-s");
                all.add(s.key() + "=" + settings.get(s));
            }
        }
        all.addAll(java.util.List.of(args));
        return command(env, all.toArray(new String[0]));
    }

    /** Runs {@code pgscribe <args>} in this JVM: its exit code and what it printed. */
    public static Cli command(String... args) {
        return command(System.getenv(), args);
    }

    /** Runs {@code pgscribe <args>} in this JVM with {@code environment} for the process's. */
    public static synchronized Cli command(Map<String, String> environment, String... args) {
        java.io.PrintStream oldOut = System.out;
        java.io.PrintStream oldErr = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int code = io.pgscribe.cli.PgscribeCommand.execute(environment, args);
            return new Cli(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    /**
     * This pipeline's settings as an application.properties for a runtime in another JVM
     * (`java -jar target/pgscribe.jar --config FILE run`); secrets stay out, for the environment.
     */
    public Path writeConfig(Path file) throws java.io.IOException {
        StringBuilder sb = new StringBuilder();
        for (Setting s : Setting.values()) {
            if (!s.isSecret()) {
                sb.append(s.key()).append('=').append(settings.get(s)).append('\n');
            }
        }
        sb.append("camel.main.routes-include-pattern=file:").append(Path.of("routes").toAbsolutePath()).append("/*.camel.yaml\n");
        sb.append("camel.routecontroller.enabled=true\n");
        java.nio.file.Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);
        return file;
    }

    /**
     * The transactions in the closed segments of {@code m}, after checking that none is there
     * twice (by xid) and that their commit LSNs only go up.
     */
    public long transactionsEachOnce(Manifest m) {
        java.util.Set<Long> xids = new java.util.HashSet<>();
        Lsn previous = null;
        long transactions = 0;
        for (io.pgscribe.manifest.SegmentEntry s : m.segments()) {
            try (io.pgscribe.segment.SegmentReader r = new io.pgscribe.segment.SegmentReader(backupDir.resolve(s.file()),
                    StandardCharsets.UTF_8)) {
                io.pgscribe.segment.SegmentReader.Part part;
                while ((part = r.next()) != null) {
                    if (part instanceof io.pgscribe.segment.SegmentReader.Begin b) {
                        if (!xids.add(b.header().xid())) {
                            throw new AssertionError("xid " + b.header().xid() + " twice in the segments (" + s.file() + ")");
                        }
                        if (previous != null && b.header().commitLsn().compareTo(previous) <= 0) {
                            throw new AssertionError("commit LSN " + b.header().commitLsn() + " after " + previous + " in " + s.file());
                        }
                        previous = b.header().commitLsn();
                        transactions++;
                    }
                }
            }
        }
        return transactions;
    }

    /** What pgscribe printed so far. */
    public String printed() {
        return output.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws Exception {
        try {
            stop();
            keepCopy();
        } finally {
            Uninstaller.run(source(), settings.get(Setting.SLOT_NAME), false, out);
        }
    }

    /** A copy of the backup set under target/it-backups, to look at when a test failed. */
    private void keepCopy() throws java.io.IOException {
        if (!java.nio.file.Files.isDirectory(backupDir)) {
            return;
        }
        Path copy = Path.of("target", "it-backups", database);
        io.pgscribe.pg.LocalCluster.deleteTree(copy);
        try (var walk = java.nio.file.Files.walk(backupDir)) {
            for (Path from : walk.toList()) {
                Path to = copy.resolve(backupDir.relativize(from).toString());
                if (java.nio.file.Files.isDirectory(from)) {
                    java.nio.file.Files.createDirectories(to);
                } else if (!java.nio.file.Files.isSymbolicLink(from)) {
                    java.nio.file.Files.copy(from, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
