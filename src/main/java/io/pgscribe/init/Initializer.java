package io.pgscribe.init;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.Version;
import io.pgscribe.base.BaseBackup;
import io.pgscribe.base.BaseSidecars;
import io.pgscribe.base.BaseSnapshot;
import io.pgscribe.base.GlobalsDump;
import io.pgscribe.config.Setting;
import io.pgscribe.config.Settings;
import io.pgscribe.decode.DecoderPlugin;
import io.pgscribe.manifest.BaseEntry;
import io.pgscribe.manifest.CaptureState;
import io.pgscribe.manifest.GlobalsEntry;
import io.pgscribe.manifest.Manifest;
import io.pgscribe.manifest.ManifestStore;
import io.pgscribe.manifest.SetTrust;
import io.pgscribe.manifest.TableShape;
import io.pgscribe.pg.ConnectionSpec;
import io.pgscribe.pg.Pg;
import io.pgscribe.pg.PgTools;
import io.pgscribe.pg.ReplicaIdentityAudit;
import io.pgscribe.pg.SlotCreation;
import io.pgscribe.pg.SlotManager;
import io.pgscribe.pg.SourceIdentity;
import io.pgscribe.signing.SetKeys;
import io.pgscribe.storage.BackupSetLock;
import io.pgscribe.storage.DurableFiles;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * {@code pgscribe init}: checks the server, installs the DDL capture, audits replica
 * identity, creates the slot and takes the first base through the slot's own snapshot,
 * so base and stream meet exactly: no transaction missing, none twice.
 */
public final class Initializer {

    /** How init treats tables whose changes cannot be decoded, and how globals are dumped. */
    public record Options(ReplicaIdentityAudit.Mode replicaIdentity, boolean noRolePasswords) {
    }

    /** What init did. */
    public record Result(boolean alreadyInitialised, BaseEntry base, GlobalsEntry globals,
                         List<ReplicaIdentityAudit.Gap> gaps, List<String> specialNumberColumns) {
    }

    private final Settings settings;
    private final PrintStream out;
    private final Clock clock;

    public Initializer(Settings settings, PrintStream out, Clock clock) {
        this.settings = settings;
        this.out = out;
        this.clock = clock;
    }

    public Result run(Options options) throws SQLException {
        ConnectionSpec spec = ConnectionSpec.source(settings);
        DecoderPlugin plugin = DecoderPlugin.fromName(settings.get(Setting.DECODER));
        String slotName = settings.get(Setting.SLOT_NAME);
        Path backupDir = settings.getPath(Setting.BACKUP_DIR).toAbsolutePath();
        ManifestStore store = new ManifestStore(backupDir, SetTrust.writer(SetKeys.signing(settings)));
        PgTools tools = PgTools.locate(settings.get(Setting.PG_BINDIR));
        // a bad value is refused before anything is created on the server
        BaseBackup.Format.fromName(settings.get(Setting.BASE_FORMAT));
        // one writer per set, and a directory that cannot be written is found before the server is touched
        boolean madeDir = !Files.exists(backupDir);
        io.pgscribe.storage.SetPermissions.require(backupDir);
        boolean done = false;
        try (BackupSetLock lock = BackupSetLock.acquire(backupDir, "init")) {
            try (Connection c = Pg.connect(spec, "pgscribe-init")) {
                Result r = run(options, c, spec, plugin, slotName, backupDir, store, tools);
                done = true;
                return r;
            } finally {
                if (!done && madeDir) {
                    removeUnused(backupDir);
                }
            }
        }
    }

    /** A refused init leaves no directory behind: only the lock file was made in it. */
    private static void removeUnused(Path backupDir) {
        try (var entries = Files.list(backupDir)) {
            if (entries.allMatch(p -> p.getFileName().toString().equals(BackupSetLock.FILE))) {
                Files.deleteIfExists(backupDir.resolve(BackupSetLock.FILE));
                Files.deleteIfExists(backupDir);
            }
        } catch (java.io.IOException e) {
            // a leftover empty directory is harmless: the next init uses it
        }
    }

    private Result run(Options options, Connection c, ConnectionSpec spec, DecoderPlugin plugin, String slotName,
                       Path backupDir, ManifestStore store, PgTools tools) throws SQLException {
        Preflight pre = new Preflight().check(c, tools, plugin, slotName, true);
        out.println("Server: " + pre.facts().version());
        pre.notes().forEach(n -> out.println("note: " + n));
        if (!pre.passed()) {
            StringBuilder msg = new StringBuilder("preflight found " + pre.problems().size() + " problem(s):");
            java.util.Set<String> hints = new java.util.LinkedHashSet<>(); // pg_dump and pg_dumpall share theirs
            for (Preflight.Problem p : pre.problems()) {
                msg.append("\n  - ").append(p.message());
                hints.add(p.hint());
            }
            throw new PgscribeException(msg.toString(), String.join(" ", hints), ExitCode.REFUSED, null);
        }
        out.println("Preflight: ok (wal_level=logical, slots and WAL senders free, " + plugin.pluginName()
                + " present" + (pre.pluginListed() ? " and allowed" : "") + ", client tools compatible)");

        Optional<SlotManager.SlotState> slot = SlotManager.find(c, slotName);
        if (store.exists() || store.holdsSegments()) {
            Manifest m = store.load(); // a set that lost both manifests is refused here: never a new set over it
            SourceIdentity.read(c).requireRecorded(m.source().identity(), backupDir.toString(),
                    spec.host() + ":" + spec.port());
            if (slot.isPresent() && slotName.equals(m.slot())) {
                reportUnlogged(c);
                CaptureObjects.install(c, Boolean.parseBoolean(settings.get(io.pgscribe.config.Setting.CAPTURE_NEW_TABLES_FULL)));
                out.println("Already initialised: slot " + slotName + " and backup set " + backupDir
                        + " exist; nothing to do.");
                return new Result(true, m.bases().isEmpty() ? null : m.bases().get(m.bases().size() - 1),
                        null, List.of(), List.of());
            }
            throw new PgscribeException("backup directory " + backupDir + " already holds a backup set of database "
                    + m.source().database() + " with slot " + m.slot() + (slot.isEmpty() ? ", and that slot is gone" : ""),
                    "Use an empty pgscribe.backup.dir for a new backup set (keep the old one as it is).",
                    ExitCode.REFUSED, null);
        }
        if (slot.isPresent()) {
            if (Files.isDirectory(backupDir.resolve("base"))) {
                // a set that lost its manifest, or an init killed before it wrote one: only the operator knows
                throw new PgscribeException("replication slot \"" + slotName + "\" already exists and " + backupDir
                        + " holds a base/ directory but no manifest", "If this set lost its manifest, see \"A lost "
                        + "manifest\" in the README before anything else: the slot holds what is not yet in a segment. If an "
                        + "init was killed here, move base/ away and drop the slot (SELECT pg_drop_replication_slot('"
                        + slotName + "')).", ExitCode.REFUSED, null);
            }
            throw new PgscribeException("replication slot \"" + slotName + "\" already exists but " + backupDir
                    + " holds no backup set", "If it is a leftover, drop it (SELECT pg_drop_replication_slot('"
                    + slotName + "')); otherwise choose another pgscribe.slot.name.", ExitCode.REFUSED, null);
        }

        List<ReplicaIdentityAudit.Gap> gaps = ReplicaIdentityAudit.find(c);
        if (plugin.readsPublication()) {
            refuseWhatAPublicationBreaks(gaps, options.replicaIdentity());
        }
        if (!gaps.isEmpty()) {
            handleGaps(c, gaps, options.replicaIdentity(), plugin);
        } else {
            out.println("Replica identity: every table's UPDATE and DELETE can be decoded");
        }
        reportUnlogged(c);
        CaptureObjects.install(c, Boolean.parseBoolean(settings.get(io.pgscribe.config.Setting.CAPTURE_NEW_TABLES_FULL)));
        if (!gaps.isEmpty() && options.replicaIdentity() == ReplicaIdentityAudit.Mode.FULL) {
            CaptureObjects.recordIdentityFull(c, gaps); // uninstall sets them back
        }
        out.println("DDL capture: schema pgscribe, table pgscribe.ddl_log, event triggers installed");

        prepareDirectory(backupDir);
        return initialise(spec, c, tools, plugin, slotName, backupDir, store, options, gaps, pre);
    }

    private Result initialise(ConnectionSpec spec, Connection c, PgTools tools, DecoderPlugin plugin, String slotName,
                              Path backupDir, ManifestStore store, Options options, List<ReplicaIdentityAudit.Gap> gaps,
                              Preflight pre) throws SQLException {
        BaseEntry base;
        io.pgscribe.pg.Lsn consistentPoint;
        List<String> decoderOptions;
        BaseSnapshot snapshot;
        boolean done = false;
        boolean madePublication = false;
        CaptureState.PublicationSeen publicationSeen = null;
        try {
            if (plugin.readsPublication()) {
                io.pgscribe.pg.Publication.create(c, slotName);
                madePublication = true;
                // its row as made: the runtime's check compares with it (an ALTER gives it another xmin)
                String at = Pg.string(c, "SELECT pg_catalog.pg_current_wal_lsn()::text");
                io.pgscribe.pg.Publication.Found made = io.pgscribe.pg.Publication.find(c, slotName).orElseThrow();
                publicationSeen = new CaptureState.PublicationSeen(made.oid(), made.xmin(), at);
                out.println("Publication " + slotName + " created FOR ALL TABLES (tables created later join it)");
            }
            try (SlotCreation created = SlotManager.createWithSnapshot(spec, slotName, plugin.pluginName())) {
                out.println("Slot " + slotName + " created at " + created.consistentPoint() + " (snapshot "
                        + created.snapshotName() + ")");
                consistentPoint = created.consistentPoint();
                snapshot = BaseSnapshot.read(spec, created.snapshotName(),
                        Boolean.parseBoolean(settings.get(io.pgscribe.config.Setting.BASE_CHECKSUMS)),
                        plugin == DecoderPlugin.WAL2JSON);
                base = BaseBackup.take(tools, spec, created.snapshotName(), created.consistentPoint(), backupDir, clock,
                        Duration.ofHours(24), BaseBackup.Format.fromName(settings.get(Setting.BASE_FORMAT)));
            }
            out.println("Base: " + base.file() + " (" + base.bytes() + " bytes), consistent point " + base.consistentPoint());
            decoderOptions = new java.util.ArrayList<>(plugin.options(slotName, pre.facts().versionNum()));
            if (plugin == DecoderPlugin.WAL2JSON && !SlotManager.acceptsOptions(c, slotName, consistentPoint, decoderOptions)) {
                decoderOptions.removeAll(DecoderPlugin.WAL2JSON_TYPE_OIDS);
                out.println("Types: this wal2json cannot send type OIDs; it names every column's type (slower decoding)");
            }
            if (plugin == DecoderPlugin.WAL2JSON) {
                List<String> withStrings = new java.util.ArrayList<>(decoderOptions);
                withStrings.add(DecoderPlugin.WAL2JSON_NUMBERS_AS_STRINGS);
                if (SlotManager.acceptsOptions(c, slotName, consistentPoint, withStrings)) {
                    decoderOptions = withStrings;
                    snapshot = snapshot.withoutSpecialNumbers();
                    out.println("Numbers: this wal2json writes numeric values as strings, so NaN and Infinity are kept");
                } else if (!snapshot.specialNumberColumns().isEmpty()) {
                    out.println("Known gap: this wal2json writes NaN and Infinity as NULL in " + snapshot.specialNumberColumns().size()
                            + " numeric/float column(s): " + abbreviate(snapshot.specialNumberColumns()));
                }
            }

            GlobalsEntry globals = GlobalsDump.take(tools, spec, backupDir, options.noRolePasswords(), clock, Duration.ofHours(1));
            out.println("Globals: " + globals.file() + " (" + globals.bytes() + " bytes)");

            BaseEntry withMeta = BaseSidecars.write(backupDir, base, snapshot, plugin.pluginName(), decoderOptions, slotName);
            if (withMeta.checksumsFile() != null) {
                out.println("Checksums: " + withMeta.checksumsFile() + " (" + snapshot.checksums().size()
                        + " tables, read through the base's snapshot)");
            }
            ObjectNode metadata = snapshot.metadata();
            List<TableShape> shapes = snapshot.shapes();

            Manifest m = new Manifest(Manifest.FORMAT, Version.current(),
                    new Manifest.Source(spec.database(), metadata.at("/server/systemIdentifier").asText(),
                            pre.facts().version(), pre.facts().versionNum(), pre.facts().encoding()),
                    slotName, plugin.pluginName(), decoderOptions, clock.instant().toString(),
                    List.of(withMeta), List.of(globals), List.of(), CaptureState.initial(shapes).withPublication(publicationSeen), null);
            store.save(m);
            out.println("Manifest: " + store.file() + (store.trust().key() != null ? " (signed by key " + store.trust().key().id() + ")"
                    : " (not signed: no pgscribe.backup.signing-key; restoring it will need --allow-unsigned)"));
            done = true;
            return new Result(false, withMeta, globals, gaps, snapshot.specialNumberColumns());
        } finally {
            if (!done) {
                // a slot without its base is a slot nobody reads: it would hold WAL forever
                try {
                    if (SlotManager.drop(c, slotName)) {
                        out.println("Dropped slot " + slotName + " again, since init did not finish");
                    }
                } catch (SQLException e) {
                    out.println("WARNING: could not drop slot " + slotName + ": " + e.getMessage()
                            + " -- drop it by hand, it holds WAL on the server");
                }
                try {
                    if (madePublication && io.pgscribe.pg.Publication.dropIfOurs(c, slotName)) {
                        out.println("Dropped publication " + slotName + " again");
                    }
                } catch (SQLException e) {
                    out.println("WARNING: could not drop publication " + slotName + ": " + e.getMessage());
                }
            }
        }
    }

    /**
     * A publication FOR ALL TABLES makes the server refuse UPDATE and DELETE on a table without
     * a replica identity, on the source, for the application: so no such table may be left,
     * now or later.
     */
    private void refuseWhatAPublicationBreaks(List<ReplicaIdentityAudit.Gap> gaps, ReplicaIdentityAudit.Mode mode) {
        if (mode == ReplicaIdentityAudit.Mode.IGNORE && !gaps.isEmpty()) {
            throw new PgscribeException("--replica-identity=ignore with the pgoutput decoder: its publication would make the "
                    + "server refuse every UPDATE and DELETE of the application on " + gaps.size() + " table(s) without a "
                    + "replica identity: " + abbreviate(gaps.stream().map(ReplicaIdentityAudit.Gap::qualified).toList()),
                    "Run init with --replica-identity=full, or add primary keys first.", ExitCode.REFUSED, null);
        }
        if (!Boolean.parseBoolean(settings.get(Setting.CAPTURE_NEW_TABLES_FULL))) {
            throw new PgscribeException(Setting.CAPTURE_NEW_TABLES_FULL.key() + "=false with the pgoutput decoder: its "
                    + "publication would make the server refuse UPDATE and DELETE on a table created later without a primary key",
                    "Leave " + Setting.CAPTURE_NEW_TABLES_FULL.key() + " at true with pgoutput.", ExitCode.REFUSED, null);
        }
    }

    /** Unlogged tables write no WAL: a base holds their rows as they were, the stream nothing after. */
    private void reportUnlogged(Connection c) throws SQLException {
        List<String> unlogged = Pg.query(c, "SELECT pg_catalog.format('%I.%I', n.nspname, c.relname) FROM pg_catalog.pg_class c "
                + "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') "
                + "AND c.relpersistence = 'u' ORDER BY 1", rs -> rs.getString(1));
        if (!unlogged.isEmpty()) {
            out.println("Not captured: " + unlogged.size() + " unlogged table(s), whose changes are not in the WAL (each base "
                    + "holds their rows as they were then; ALTER TABLE ... SET LOGGED to back them up): "
                    + String.join(", ", unlogged));
        }
    }

    private void handleGaps(Connection c, List<ReplicaIdentityAudit.Gap> gaps, ReplicaIdentityAudit.Mode mode,
                            DecoderPlugin plugin) throws SQLException {
        String list = abbreviate(gaps.stream().map(g -> g.qualified() + " [" + g.identity() + "]").toList());
        switch (mode) {
            case REFUSE -> throw new PgscribeException(gaps.size() + " table(s) have no usable replica identity, so their "
                    + "UPDATE and DELETE would be lost from the backup: " + list,
                    "Add a primary key to them, or run init with --replica-identity=full (sets REPLICA IDENTITY FULL)"
                            + (plugin.readsPublication() ? "." : ", or --replica-identity=ignore to accept the gap."),
                    ExitCode.REFUSED, null);
            case FULL -> {
                ReplicaIdentityAudit.setFull(c, gaps);
                out.println("Replica identity: set FULL on " + gaps.size() + " table(s): " + list);
            }
            case IGNORE -> out.println("Known gap (recorded in the metadata): UPDATE and DELETE of " + gaps.size()
                    + " table(s) are not captured: " + list);
        }
    }

    private static void prepareDirectory(Path backupDir) {
        try {
            if (Files.isDirectory(backupDir)) {
                try (var entries = Files.list(backupDir)) {
                    if (entries.anyMatch(p -> !p.getFileName().toString().startsWith("."))) {
                        throw new PgscribeException("backup directory " + backupDir + " is not empty",
                                "Use an empty or new directory for pgscribe.backup.dir.", ExitCode.REFUSED, null);
                    }
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        DurableFiles.ownerOnlyDirectory(backupDir);
    }

    private static String abbreviate(List<String> items) {
        return items.size() <= 10 ? String.join(", ", items)
                : String.join(", ", items.subList(0, 10)) + " and " + (items.size() - 10) + " more";
    }
}
