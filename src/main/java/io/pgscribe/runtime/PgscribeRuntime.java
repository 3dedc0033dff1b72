package io.pgscribe.runtime;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.alert.Alerter;
import io.pgscribe.alert.Channels;
import io.pgscribe.alert.Severity;
import io.pgscribe.base.BaseBackup;
import io.pgscribe.base.BaseJob;
import io.pgscribe.base.GlobalsJob;
import io.pgscribe.capture.CaptureFault;
import io.pgscribe.capture.CaptureSink;
import io.pgscribe.capture.Heartbeat;
import io.pgscribe.capture.RecvlogicalComponent;
import io.pgscribe.capture.RecvlogicalPidFile;
import io.pgscribe.capture.RecvlogicalSupervisor;
import io.pgscribe.capture.SequenceSampler;
import io.pgscribe.capture.SourceSession;
import io.pgscribe.capture.SpoolComponent;
import io.pgscribe.capture.SpoolRecovery;
import io.pgscribe.compress.Compressor;
import io.pgscribe.config.Setting;
import io.pgscribe.config.Settings;
import io.pgscribe.decode.DecoderPlugin;
import io.pgscribe.encryption.Encryption;
import io.pgscribe.manifest.Manifest;
import io.pgscribe.manifest.ManifestStore;
import io.pgscribe.manifest.SetTrust;
import io.pgscribe.monitor.Monitor;
import io.pgscribe.monitor.PipelineHealthCheck;
import io.pgscribe.monitor.Thresholds;
import io.pgscribe.pg.ConnectionSpec;
import io.pgscribe.pg.PgEncodings;
import io.pgscribe.pg.PgTools;
import io.pgscribe.pg.SourceIdentity;
import io.pgscribe.segment.SegmentWriter;
import io.pgscribe.ship.S3Config;
import io.pgscribe.ship.S3Store;
import io.pgscribe.ship.Shipper;
import io.pgscribe.signing.SetKeys;
import io.pgscribe.spool.SpoolDirectory;
import io.pgscribe.storage.BackupSetLock;
import io.pgscribe.storage.Compression;
import io.pgscribe.storage.LockWatch;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;

/**
 * The Camel runtime: camel-main with the route templates in {@code routes/*.camel.yaml}, each
 * instantiated once per pipeline (one per database of {@code pgscribe.databases}, or the one
 * the settings describe), the beans and components they call, and every setting as a
 * property placeholder.
 */
public final class PgscribeRuntime {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PgscribeRuntime.class);

    /** Used when application.properties names no routes: the routes packed into the jar. */
    static final String DEFAULT_ROUTES = "classpath:routes/*.camel.yaml";

    private final Main main;
    private final List<PipelineParts> pipelines;
    private final List<LockWatch> locks;

    private PgscribeRuntime(Main main, List<PipelineParts> pipelines, List<LockWatch> locks) {
        this.main = main;
        this.pipelines = pipelines;
        this.locks = locks;
    }

    /**
     * What one pipeline's routes call. Its beans are bound as {@code prefix + name}
     * ({@code orders.captureSink}; no prefix without pgscribe.databases), its routes are
     * {@code prefix + template id}, and its endpoints of pgscribe-spool and pgscribe-recvlogical
     * are named after it.
     */
    public record PipelineParts(String name, String prefix, Settings settings, CaptureSink captureSink,
                                RecvlogicalComponent.Capture recvlogical, Shipper shipper, SequenceSampler sequences,
                                SourceSession session) {

        /** The placeholders this pipeline's routes are made with: its settings (no secret) and its name. */
        Map<String, Object> templateParameters() {
            Map<String, Object> params = new LinkedHashMap<>();
            for (Setting s : Setting.values()) {
                if (!s.isSecret()) {
                    params.put(s.key(), settings.get(s));
                }
            }
            params.put(PipelineRoutes.NAME, name);
            params.put(PipelineRoutes.PREFIX, prefix);
            return params;
        }
    }

    /** The shipper of the first pipeline, or null when shipping is off. */
    public Shipper shipper() {
        return pipelines.get(0).shipper();
    }

    public List<PipelineParts> pipelines() {
        return pipelines;
    }

    /** The pipeline of database {@code name} (of pgscribe.databases). */
    public PipelineParts pipeline(String name) {
        return pipelines.stream().filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no pipeline " + name));
    }

    public static PgscribeRuntime create(Settings settings) {
        List<Settings> each = settings.pipelines();
        each.forEach(io.pgscribe.config.SettingsCheck::require);
        checkDistinct(each);
        Main main = new Main();
        SpoolComponent spool = new SpoolComponent();
        RecvlogicalComponent recvlogical = new RecvlogicalComponent();
        main.bind("pgscribe-spool", spool);
        main.bind("pgscribe-recvlogical", recvlogical);
        List<PipelineParts> parts = new ArrayList<>();
        // one writer per backup set, for the runtime's life: taken before anything in a set is touched
        List<LockWatch> locks = new ArrayList<>();
        try {
            for (Settings p : each) {
                LockWatch lock = new LockWatch(BackupSetLock.acquire(realDir(p.getPath(Setting.BACKUP_DIR)), "run"));
                locks.add(lock);
                parts.add(assemble(p, main, spool, recvlogical, lock));
            }
        } catch (RuntimeException e) {
            locks.forEach(LockWatch::close);
            throw e;
        }
        Properties props = new Properties();
        settings.asMap().forEach((k, v) -> {
            Setting known = Setting.byKey().get(k);
            if ((known == null || !known.isSecret()) && !k.startsWith(Settings.DATABASE_PREFIX)) {
                props.put(k, v);
            }
        });
        props.putIfAbsent("camel.main.routes-include-pattern", DEFAULT_ROUTES);
        // metrics and health have no authentication: this machine only, unless the operator binds it wider
        props.putIfAbsent("camel.management.host", "127.0.0.1");
        props.putIfAbsent("camel.main.name", settings.pipeline() == null && each.size() == 1
                ? "pgscribe-" + each.get(0).get(Setting.SLOT_NAME) : "pgscribe");
        main.setOverrideProperties(props);
        main.addMainListener(new PipelineRoutes(parts));
        PgscribeRuntime[] self = new PgscribeRuntime[1];
        main.addMainListener(new org.apache.camel.main.MainListenerSupport() {
            @Override
            public void beforeStop(org.apache.camel.main.BaseMainSupport m) {
                // SIGTERM: while the capture still runs
                if (self[0] != null) {
                    self[0].sampleSequencesBeforeStop();
                }
            }
        });
        PgscribeRuntime runtime = new PgscribeRuntime(main, List.copyOf(parts), List.copyOf(locks));
        self[0] = runtime;
        return runtime;
    }

    /** Two pipelines writing one directory, or reading one slot, would corrupt each other's backup. */
    private static void checkDistinct(List<Settings> pipelines) {
        Map<Path, String> dirs = new HashMap<>();
        Map<String, String> slots = new HashMap<>();
        for (Settings p : pipelines) {
            String name = p.pipeline();
            Path dir = p.getPath(Setting.BACKUP_DIR).toAbsolutePath().normalize();
            String other = dirs.putIfAbsent(dir, name);
            if (other != null) {
                throw new PgscribeException("databases " + other + " and " + name + " both have the backup directory " + dir,
                        "Give each its own: pgscribe.database." + name + ".backup.dir.", ExitCode.USAGE, null);
            }
            String slot = p.get(Setting.SOURCE_HOST) + ":" + p.get(Setting.SOURCE_PORT) + "/" + p.get(Setting.SLOT_NAME);
            other = slots.putIfAbsent(slot, name);
            if (other != null) {
                throw new PgscribeException("databases " + other + " and " + name + " both use the slot " + slot,
                        "Give each its own: pgscribe.database." + name + ".slot.name.", ExitCode.USAGE, null);
            }
        }
    }

    private static boolean holdsEncrypted(Manifest m) {
        return m.segments().stream().anyMatch(x -> Encryption.isEncrypted(x.file()))
                || m.bases().stream().anyMatch(x -> Encryption.isEncrypted(x.file()))
                || m.globals().stream().anyMatch(x -> Encryption.isEncrypted(x.file()));
    }

    private static PipelineParts assemble(Settings settings, Main main, SpoolComponent spoolComponent,
                                          RecvlogicalComponent recvlogicalComponent, LockWatch lock) {
        // the directory itself, not a name of it: a symlink switched while running must not send writes elsewhere
        Path backupDir = realDir(settings.getPath(Setting.BACKUP_DIR));
        io.pgscribe.storage.SetPermissions.require(backupDir);
        ManifestStore store = new ManifestStore(backupDir, SetTrust.writer(SetKeys.signing(settings)));
        Manifest manifest = store.load();
        Encryption encryption = Encryption.fromSettings(settings);
        if (encryption == null && !settings.getBoolean(Setting.ENCRYPTION_ALLOW_PLAIN) && holdsEncrypted(manifest)) {
            // a lost environment variable or a dropped setting must not quietly ship plain text
            throw new PgscribeException("the backup set in " + backupDir + " holds encrypted files, but neither "
                    + "pgscribe.encryption.recipients nor PGSCRIBE_ENCRYPTION_PASSPHRASE is set: new files would be kept and "
                    + "shipped in plain text", "Set them as before; to keep new files in plain text on purpose, set "
                    + "pgscribe.encryption.allow-plain=true.", ExitCode.REFUSED, null);
        }
        if (store.trust().key() == null) {
            LOG.warn("The backup set in {} is not signed (pgscribe.backup.signing-key is not set): anyone who can write it "
                    + "can change what a restore runs, and restoring it needs --allow-unsigned", backupDir);
        }
        String where = settings.pipeline() == null ? "" : "pgscribe.database." + settings.pipeline() + ".";
        requireSource(ConnectionSpec.source(settings), manifest, backupDir);
        DecoderPlugin plugin = DecoderPlugin.fromName(manifest.decoder());
        if (!plugin.pluginName().equals(settings.get(Setting.DECODER))) {
            // a set keeps the decoder it was started with; the setting (or a new default) is for new sets
            LOG.warn("The backup set in {} was started with {} and keeps it; {}decoder={} applies to backup sets started "
                    + "from now on", backupDir, manifest.decoder(), where.isEmpty() ? "pgscribe." : where,
                    settings.get(Setting.DECODER));
        }
        String slot = settings.get(Setting.SLOT_NAME);
        if (!slot.equals(manifest.slot())) {
            throw new PgscribeException("the backup set in " + backupDir + " belongs to slot " + manifest.slot()
                    + " but pgscribe.slot.name is " + slot,
                    "Set " + (where.isEmpty() ? "pgscribe." : where) + "slot.name=" + manifest.slot() + ".",
                    ExitCode.USAGE, null);
        }
        String name = settings.pipeline() != null ? settings.pipeline() : slot;
        String prefix = settings.pipeline() != null ? name + "." : "";
        // before anything of this set runs: another runtime whose lock was lost would fight this one over the spool
        RecvlogicalPidFile.refuseAnotherRuntime(backupDir.resolve("spool"), settings.get(Setting.SLOT_NAME));
        SpoolDirectory spool = io.pgscribe.capture.CaptureSink.spoolOf(backupDir.resolve("spool"), plugin);
        ConnectionSpec spec = ConnectionSpec.source(settings);
        // before the capture reads the manifest's resume point: the spool must still hold it
        SpoolRecovery recovery = new SpoolRecovery(spool, store, spec, slot, Clock.systemUTC());
        checkSpool(recovery, spec);
        CaptureSink sink = new CaptureSink(plugin, store, spool,
                new SegmentWriter.Policy(settings.getLong(Setting.SEGMENT_MAX_BYTES), settings.getSeconds(Setting.SEGMENT_MAX_AGE)),
                Clock.systemUTC());
        PgTools tools = PgTools.locate(settings.get(Setting.PG_BINDIR));
        RecvlogicalSupervisor.Options options = new RecvlogicalSupervisor.Options(
                settings.getInt(Setting.SPOOL_FSYNC_INTERVAL), settings.getInt(Setting.SPOOL_STATUS_INTERVAL),
                settings.getLong(Setting.SPOOL_ROTATE_BYTES), settings.getSeconds(Setting.CAPTURE_RESTART_DELAY),
                settings.getSeconds(Setting.CAPTURE_RESTART_MAX_DELAY));
        if (options.fsyncIntervalSeconds() <= 0) {
            throw new PgscribeException("pgscribe.spool.fsync-interval is " + options.fsyncIntervalSeconds()
                    + ": pg_recvlogical would never fsync, and would report unsynced positions as durable",
                    "Set it to 1 or more seconds.", ExitCode.USAGE, null);
        }
        // before every start: never another server's changes into this set (a slot name alone does not tell),
        // and never a spool that lost the position the capture resumes at
        io.pgscribe.capture.PublicationWatch publicationWatch = new io.pgscribe.capture.PublicationWatch(spec, store,
                plugin.readsPublication() ? slot : null, Clock.systemUTC());
        RecvlogicalSupervisor.Guard guard = new RecvlogicalSupervisor.Guard() {
            @Override
            public void check() throws java.sql.SQLException {
                SourceIdentity.verify(spec, manifest.source().identity(), backupDir.toString());
                recovery.check();
                publicationWatch.check();
            }

            @Override
            public void exited() {
                recovery.recordSlotAtExit();
            }
        };
        RecvlogicalComponent.Capture recvlogical = recvlogicalComponent.register(name, onExit ->
                new RecvlogicalSupervisor(tools, spec, slot, manifest.decoderOptions(), spool, options, onExit, guard));
        CaptureFault fault = new CaptureFault();
        spoolComponent.register(name, spool, sink, PgEncodings.charsetOf(manifest.source().encoding()),
                settings.getInt(Setting.SPOOL_BATCH_LINES), Duration.ofMillis(settings.getLong(Setting.SPOOL_POLL_DELAY_MS)),
                fault);

        SourceSession session = new SourceSession(spec, manifest.source().identity(), backupDir.toString(), slot);
        main.bind(prefix + "captureSink", sink);
        SequenceSampler sequences = new SequenceSampler(session,
                Duration.ofMillis(settings.getLong(Setting.SEQUENCES_SAMPLE_INTERVAL_MS)), sink::segmentsClosed, Clock.systemUTC());
        main.bind(prefix + "sequenceSampler", sequences);
        main.bind(prefix + "publicationWatch", publicationWatch);
        main.bind(prefix + "heartbeat", new Heartbeat(session, !plugin.receivesMessagesOutsideTransactions(manifest.decoderOptions())));
        main.bind(prefix + "sourceLogPruner", new io.pgscribe.capture.SourceLogPruner(session, sink,
                settings.getBoolean(Setting.CAPTURE_PRUNE_SOURCE_LOGS), () -> {
                    io.pgscribe.manifest.CaptureState c = store.load().capture();
                    return c == null || c.coveredLsn() == null ? null : io.pgscribe.pg.Lsn.valueOf(c.coveredLsn());
                }));
        BaseJob baseJob = new BaseJob(spec, tools, store, settings.getBoolean(Setting.BASE_CHECKSUMS),
                settings.getSeconds(Setting.BASE_TIMEOUT), Clock.systemUTC(),
                BaseBackup.Format.fromName(settings.get(Setting.BASE_FORMAT)));
        baseJob.removeLeftovers();
        main.bind(prefix + "baseJob", baseJob);
        if (encryption != null) {
            LOG.info("Closed files of {} are encrypted ({}); restoring them needs a secret key or the passphrase",
                    backupDir, encryption.describe());
        }
        Compressor compressor = new Compressor(store, Compression.fromName(settings.get(Setting.COMPRESSION)),
                settings.getInt(Setting.COMPRESSION_LEVEL), encryption);
        compressor.removeLeftovers();
        main.bind(prefix + "compressor", compressor);
        boolean shipping = settings.getBoolean(Setting.SHIP_ENABLED);
        main.bind(prefix + "pruner", new io.pgscribe.retention.Pruner(store,
                io.pgscribe.retention.RetentionSettings.policy(settings), Clock.systemUTC(), shipping));
        Shipper shipper = null;
        if (shipping) {
            S3Config s3Config = S3Config.fromSettings(settings);
            if (io.pgscribe.config.PlainHttp.offLoopback(s3Config.endpoint())) {
                LOG.warn("pgscribe.s3.endpoint {} is plain http off this machine: the backup and the request signatures cross "
                        + "the network unencrypted; use https", s3Config.endpoint());
            }
            S3Store s3 = new S3Store(s3Config);
            long partSize = settings.getLong(Setting.SHIP_PART_SIZE);
            if (partSize < 5L * 1024 * 1024) {
                throw new PgscribeException("pgscribe.ship.part-size is " + partSize + " bytes; S3 parts are 5 MB at least",
                        "Set pgscribe.ship.part-size to 5242880 or more.", ExitCode.USAGE, null);
            }
            shipper = new Shipper(store, s3, compressor.method(), settings.get(Setting.S3_STORAGE_CLASS).strip(),
                    Duration.ofMillis(settings.getLong(Setting.SHIP_INTERVAL_MS)), settings.getSeconds(Setting.SHIP_RETRY_MAX_DELAY),
                    settings.getSeconds(Setting.SHIP_ALERT_AFTER), Clock.systemUTC()).encrypted(compressor.encrypting());
            main.bind(prefix + "s3Client", s3.client());
        }
        Shipper boundShipper = shipper != null ? shipper : Shipper.off(store);
        main.bind(prefix + "shipper", boundShipper);
        for (String hook : settings.get(Setting.ALERT_WEBHOOKS).split(",")) {
            if (io.pgscribe.config.PlainHttp.offLoopback(hook.substring(hook.indexOf('=') + 1))) {
                LOG.warn("A webhook of pgscribe.alert.webhooks is plain http off this machine ({}): its URL, often its only "
                        + "secret, and every alert cross the network unencrypted; use https",
                        Setting.ALERT_WEBHOOKS.shown(hook.strip()));
            }
        }
        Alerter alerter = new Alerter(Channels.fromSettings(settings, spec.database() + " (slot " + slot + ")"),
                settings.getSeconds(Setting.ALERT_REPEAT_INTERVAL), severity(settings), Clock.systemUTC());
        main.bind(prefix + "alerter", alerter);
        Monitor monitor = new Monitor(spec, slot, store, backupDir.resolve("spool"), recvlogical, sink, boundShipper,
                Thresholds.fromSettings(settings), Clock.systemUTC()).watching(fault, prefix).watchingLock(lock);
        main.bind(prefix + "monitor", monitor);
        main.bind(prefix + "pgscribe-health", new PipelineHealthCheck(settings.pipeline() == null ? "pipeline"
                : name, monitor));
        main.bind(prefix + "globalsJob", new GlobalsJob(spec, tools, store, settings.getBoolean(Setting.GLOBALS_NO_ROLE_PASSWORDS),
                settings.getSeconds(Setting.BASE_TIMEOUT), Clock.systemUTC()));
        return new PipelineParts(name, prefix, settings, sink, recvlogical, shipper, sequences, session);
    }

    /** The backup directory with every symlink of its path resolved (as given when it does not exist). */
    static Path realDir(Path dir) {
        try {
            return dir.toRealPath();
        } catch (java.io.IOException e) {
            return dir.toAbsolutePath().normalize();
        }
    }

    /** At start, so that the capture does not begin at a position the spool lost; again before every pg_recvlogical. */
    private static void checkSpool(SpoolRecovery recovery, ConnectionSpec spec) {
        try {
            recovery.check();
        } catch (PgscribeException e) {
            if (e.exitCode() == ExitCode.REFUSED || e.exitCode() == ExitCode.DAMAGED) {
                throw e;
            }
            LOG.warn("Cannot check the spool against the slot on {} now ({}); checked before pg_recvlogical starts",
                    spec.describe(), e.getMessage());
        } catch (java.sql.SQLException e) {
            LOG.warn("Cannot check the spool against the slot on {} now ({}); checked before pg_recvlogical starts",
                    spec.describe(), e.getMessage());
        }
    }

    /**
     * A set of another server or database is refused before anything runs. A server that cannot be
     * reached now is checked again before every start of pg_recvlogical and every dump.
     */
    private static void requireSource(ConnectionSpec spec, Manifest manifest, Path backupDir) {
        try {
            SourceIdentity.verify(spec, manifest.source().identity(), backupDir.toString());
        } catch (PgscribeException e) {
            if (e.exitCode() == ExitCode.REFUSED) {
                throw e;
            }
            LOG.warn("Cannot reach {} to check that it is the backup set's source ({}); checked before streaming", spec.describe(),
                    e.getMessage());
        } catch (java.sql.SQLException e) {
            LOG.warn("Cannot check that {} is the backup set's source ({}); checked before streaming", spec.describe(),
                    e.getMessage());
        }
    }

    private static Severity severity(Settings settings) {
        String v = settings.get(Setting.ALERT_MIN_SEVERITY).strip().toUpperCase(java.util.Locale.ROOT);
        try {
            Severity s = Severity.valueOf(v);
            if (s != Severity.OK) {
                return s;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new PgscribeException("pgscribe.alert.min-severity is \"" + v + "\"", "Use WARNING, CRITICAL or EMERGENCY.",
                ExitCode.USAGE, null);
    }

    /** Starts the routes and returns. */
    public void start() throws Exception {
        main.start();
    }

    /**
     * Stops gracefully: a last sequence sample into the stream, pg_recvlogical after its last
     * fsync, then the open segment at the last COMMIT.
     */
    public void stop() throws Exception {
        try {
            sampleSequencesBeforeStop();
            main.stop();
        } finally {
            pipelines.forEach(p -> p.session().close());
            locks.forEach(LockWatch::close);
        }
    }

    /** Runs until the JVM is told to stop (SIGTERM, Ctrl-C), then stops gracefully. */
    public void run() throws Exception {
        try {
            main.run();
        } finally {
            pipelines.forEach(p -> p.session().close());
            locks.forEach(LockWatch::close);
        }
    }

    private final java.util.concurrent.atomic.AtomicBoolean sampledAtStop = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * Samples every sequence once more and waits (a bounded time) until the capture has the
     * sample, so that a stopped runtime's backup holds each sequence as it was at the stop.
     */
    void sampleSequencesBeforeStop() {
        if (!sampledAtStop.compareAndSet(false, true) || !main.isStarted()) {
            return;
        }
        // bounded: a source that does not answer must not hold the stop (docker stop kills after 10 s)
        Thread t = new Thread(this::sampleEach, "pgscribe-stop-sample");
        t.setDaemon(true);
        t.start();
        try {
            t.join(STOP_SAMPLE_WAIT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            LOG.warn("The last sequence sample before stopping did not finish within {} s (the source does not answer?); "
                    + "stopping without it: the backup has the sequences as of the last sample", STOP_SAMPLE_WAIT.toSeconds());
            t.interrupt();
        }
    }

    private void sampleEach() {
        for (PipelineParts p : pipelines) {
            try {
                p.sequences().sample();
                long id = p.sequences().lastLoggedId();
                if (id >= 0 && !p.captureSink().ownRows().awaitSequenceSample(id, STOP_SAMPLE_WAIT)) {
                    LOG.warn("The last sequence sample of {} (pgscribe.sequence_log id {}) did not reach the capture within {} s; "
                            + "it goes into the backup at the next start", p.name(), id, STOP_SAMPLE_WAIT.toSeconds());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (java.sql.SQLException | RuntimeException e) {
                LOG.warn("Cannot sample the sequences of {} before stopping ({}); the backup has them as of the last sample",
                        p.name(), e.getMessage());
            }
        }
    }

    private static final Duration STOP_SAMPLE_WAIT = Duration.ofSeconds(8);

    public CamelContext camelContext() {
        return main.getCamelContext();
    }

    /** The capture sink of the first pipeline. */
    public CaptureSink captureSink() {
        return pipelines.get(0).captureSink();
    }

    /** The pg_recvlogical supervisor of the first pipeline. */
    public RecvlogicalSupervisor recvlogical() {
        return pipelines.get(0).recvlogical().supervisor();
    }
}
