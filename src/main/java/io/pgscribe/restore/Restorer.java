package io.pgscribe.restore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.decode.DecoderPlugin;
import io.pgscribe.init.CaptureObjects;
import io.pgscribe.manifest.BaseEntry;
import io.pgscribe.manifest.Manifest;
import io.pgscribe.manifest.ManifestStore;
import io.pgscribe.manifest.SegmentEntry;
import io.pgscribe.manifest.SetTrust;
import io.pgscribe.pg.ConnectionSpec;
import io.pgscribe.pg.Lsn;
import io.pgscribe.pg.Pg;
import io.pgscribe.pg.PgEncodings;
import io.pgscribe.pg.PgTools;
import io.pgscribe.pg.SourceIdentity;
import io.pgscribe.segment.SegmentReader;
import io.pgscribe.sql.SqlText;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

/**
 * {@code pgscribe restore}: a new database from a base and the segments after it, up to a
 * target.
 *
 * <ol>
 *   <li>The chain (the newest base before the target, the segments after it) is chosen and
 *       every file of it is checked against the manifest before anything else.</li>
 *   <li>The target is created (never an existing database unless told to replace it, never
 *       the source); globals first if asked.</li>
 *   <li>The base is loaded with psql; the segments are applied in commit order, with
 *       session_replication_role = replica, skipping every transaction the base already
 *       holds (commit LSN before its consistent point) and any already applied, stopping at
 *       the first transaction past the target.</li>
 *   <li>Owned sequences are raised to their column's maximum; materialized views refreshed;
 *       pgscribe's capture objects removed from the copy.</li>
 * </ol>
 * On failure the half-built target is dropped.
 */
public final class Restorer {

    /** At most this many source transactions, or statements, in one target transaction. */
    static final int GROUP_TRANSACTIONS = 1000;
    static final long GROUP_STATEMENTS = 100_000;

    /**
     * What to restore, where, and how. {@code keepProgress}: leave the record of the last
     * applied transaction in the target; {@code continueExisting}: the target was restored
     * with it, apply only what came after; {@code planOnly}: print the plan and stop.
     */
    public record Options(Path backupDir, ConnectionSpec source, ConnectionSpec targetServer, String targetDatabase,
                          RestoreTarget target, RestoreScope scope, boolean withGlobals, boolean replace,
                          boolean keepProgress, boolean continueExisting, boolean planOnly, boolean allowLegacyDdl) {

        public Options(Path backupDir, ConnectionSpec source, ConnectionSpec targetServer, String targetDatabase) {
            this(backupDir, source, targetServer, targetDatabase, RestoreTarget.LATEST, RestoreScope.ALL, false, false,
                    false, false, false, false);
        }

        public Options(Path backupDir, ConnectionSpec source, ConnectionSpec targetServer, String targetDatabase,
                       boolean keepProgress, boolean continueExisting) {
            this(backupDir, source, targetServer, targetDatabase, RestoreTarget.LATEST, RestoreScope.ALL, false, false,
                    keepProgress, continueExisting, false, false);
        }

        public Options withTarget(RestoreTarget t) {
            return new Options(backupDir, source, targetServer, targetDatabase, t, scope, withGlobals, replace, keepProgress,
                    continueExisting, planOnly, allowLegacyDdl);
        }

        public Options withScope(RestoreScope s) {
            return new Options(backupDir, source, targetServer, targetDatabase, target, s, withGlobals, replace, keepProgress,
                    continueExisting, planOnly, allowLegacyDdl);
        }

        public Options withGlobals(boolean g) {
            return new Options(backupDir, source, targetServer, targetDatabase, target, scope, g, replace, keepProgress,
                    continueExisting, planOnly, allowLegacyDdl);
        }

        public Options withBackupDir(Path dir) {
            return new Options(dir, source, targetServer, targetDatabase, target, scope, withGlobals, replace, keepProgress,
                    continueExisting, planOnly, allowLegacyDdl);
        }

        public Options withReplace(boolean r) {
            return new Options(backupDir, source, targetServer, targetDatabase, target, scope, withGlobals, r, keepProgress,
                    continueExisting, planOnly, allowLegacyDdl);
        }

        public Options withPlanOnly(boolean p) {
            return new Options(backupDir, source, targetServer, targetDatabase, target, scope, withGlobals, replace,
                    keepProgress, continueExisting, p, allowLegacyDdl);
        }

        public Options withAllowLegacyDdl(boolean a) {
            return new Options(backupDir, source, targetServer, targetDatabase, target, scope, withGlobals, replace,
                    keepProgress, continueExisting, planOnly, a);
        }
    }

    /**
     * What a restore did (or, for a plan, would do); {@code applying}: the time spent applying
     * segments; {@code ddlNotReplayed}: DDL the capture could not replay, in the applied
     * transactions: the restored database lacks it.
     */
    public record Summary(String base, int segments, long transactionsApplied, long transactionsSkipped, long statements,
                          int sequencesRaised, Duration elapsed, Duration applying, boolean reachedTarget, long ddlSkipped,
                          long rowsCopied, long ddlNotReplayed) {
    }

    private final PgTools tools;
    private final PrintStream out;
    private final boolean terminal;
    private final SetTrust trust;
    private io.pgscribe.encryption.Decryption decryption = io.pgscribe.encryption.Decryption.NONE;

    /** A restorer of signed sets only, whose signature {@code trust}'s key checks ({@link SetTrust#reader}). */
    public Restorer(PgTools tools, PrintStream out, SetTrust trust) {
        this(tools, out, false, trust);
    }

    /** {@code terminal}: progress as a bar (on a terminal) rather than log lines. */
    public Restorer(PgTools tools, PrintStream out, boolean terminal, SetTrust trust) {
        this.tools = tools;
        this.out = out;
        this.terminal = terminal;
        this.trust = trust;
    }

    /** Encrypted files are read with {@code d} (the default reads none). */
    public Restorer decryptingWith(io.pgscribe.encryption.Decryption d) {
        this.decryption = d;
        return this;
    }

    public Summary run(Options o) throws SQLException {
        long t0 = System.nanoTime();
        // each file is read again after it is checked: nobody but the set's own user may be able to swap one between
        io.pgscribe.storage.SetPermissions.requireForReading(o.backupDir());
        if (!Files.isDirectory(o.backupDir())) {
            return runIn(o, t0); // the manifest's reader says what is missing
        }
        Path real;
        String owner;
        try {
            real = o.backupDir().toRealPath(); // every read below goes here, never through a name that may change
            owner = Files.getOwner(real).getName();
        } catch (java.io.IOException e) {
            throw new PgscribeException("cannot read the backup set in " + o.backupDir() + ": " + e.getMessage(),
                    "Check the path (pgscribe.backup.dir).", ExitCode.FAILED, e);
        }
        if (owner.equals(System.getProperty("user.name"))) {
            return runIn(o.withBackupDir(real), t0);
        }
        Path staging = LocalStaging.copy(real, trust, o.target());
        out.println("The backup set belongs to " + owner + ": restoring from a private copy in " + staging
                + ", which nobody else can change between its check and its use");
        try {
            return runIn(o.withBackupDir(staging), t0);
        } finally {
            LocalStaging.remove(staging);
        }
    }

    private Summary runIn(Options o, long t0) throws SQLException {
        Path manifestFile = o.backupDir().resolve(ManifestStore.FILE_NAME);
        Manifest m = ManifestStore.read(manifestFile, trust);
        out.println("Manifest: " + trust.describe(m, manifestFile));
        RestoreTarget target = o.target();
        if (target.kind() != RestoreTarget.Kind.LATEST && !DecoderPlugin.fromName(m.decoder())
                .carriesTransactionIdentity()) {
            throw new PgscribeException("this backup set was made with " + m.decoder()
                    + ", whose segments carry no commit LSN, time or xid: it can be restored only to its latest transaction",
                    "Leave out --to-time, --to-lsn and --to-xid.", ExitCode.REFUSED, null);
        }
        Charset charset = PgEncodings.charsetOf(m.source().encoding());
        if (target.kind() == RestoreTarget.Kind.XID) {
            Chain all = Chain.latest(o.backupDir(), m).readWith(decryption);
            all.verifyFiles();
            target = ChainScan.resolveXid(all, target, charset);
        }
        Chain chain = Chain.select(o.backupDir(), m, target).readWith(decryption);
        chain.verifyFiles();
        if (o.withGlobals()) {
            if (chain.globals() == null) {
                throw new PgscribeException("the backup set has no globals dump", "Restore without --with-globals.",
                        ExitCode.DAMAGED, null);
            }
            chain.verifyGlobals();
        }
        if (!o.scope().all()) {
            refuseEmptyScope(chain, m, o.scope());
        }
        if (o.planOnly()) {
            ChainScan.Counts counts = ChainScan.count(chain, target, charset);
            RestorePlan.print(chain, target, o, counts, out);
            return new Summary(chain.base().file(), chain.segments().size(), counts.toApply(), counts.inBase(), 0, 0,
                    Duration.ofNanos(System.nanoTime() - t0), Duration.ZERO, true, 0, 0, 0);
        }
        out.println("Chain: base " + chain.base().file() + " (consistent point " + chain.base().consistentPoint() + ") + "
                + chain.segments().size() + " segment(s); every file matches the manifest");
        out.println("Target: " + target.describe() + (o.scope().all() ? "" : "; only " + describe(o.scope())));

        ConnectionSpec admin = o.targetServer().withDatabase("postgres");
        ConnectionSpec targetDb = o.targetServer().withDatabase(o.targetDatabase());
        if (o.continueExisting()) {
            try (Connection c = Pg.connect(admin, "pgscribe-restore", knobs(o))) {
                refuseSource(c, o, m);
            }
            return applySegments(chain, m, targetDb, t0, target, o);
        }
        try (Connection c = Pg.connect(admin, "pgscribe-restore", knobs(o))) {
            refuseSource(c, o, m);
            if (!Pg.query(c, "SELECT 1 FROM pg_database WHERE datname = ?", rs -> 1, o.targetDatabase()).isEmpty()) {
                if (!o.replace()) {
                    throw new PgscribeException("database " + o.targetDatabase() + " already exists on " + admin.host() + ":"
                            + admin.port(), "Restore into a new name, or pass --replace to drop it first (--continue applies "
                            + "new segments to one restored with --keep-progress).", ExitCode.REFUSED, null);
                }
                refuseCaptured(targetDb, o);
                Pg.execute(c, "DROP DATABASE " + SqlText.identifier(o.targetDatabase()) + " WITH (FORCE)");
                out.println("Dropped the existing database " + o.targetDatabase() + " (--replace)");
            }
            if (o.withGlobals()) {
                GlobalsApplier.Result g = GlobalsApplier.apply(c, chain.open(chain.globals().file()), out);
                out.println("Globals: " + g.applied() + " statement(s) of " + chain.globals().file() + " applied");
            }
            refuseMissingRoles(c, chain, o);
            try {
                Pg.execute(c, createDatabase(o.targetDatabase(), readMetadata(chain)));
            } catch (SQLException e) {
                // two restores into one new name at once: the second finds the first's database
                if ("42P04".equals(e.getSQLState()) || "23505".equals(e.getSQLState())) {
                    throw new PgscribeException("database " + o.targetDatabase() + " was created on " + admin.host() + ":"
                            + admin.port() + " while this restore was preparing (another restore into the same name?)",
                            "Let the other one finish, or restore into another name.", ExitCode.REFUSED, null);
                }
                throw e;
            }
        }
        boolean ok = false;
        try {
            loadBase(chain, targetDb, o.scope());
            try (Connection c = Pg.connect(targetDb, "pgscribe-restore")) {
                // the copy's event triggers came with the base: nothing done to the copy is to be logged, and
                // the database's own must not fire at the restore's own DDL (a DDL audit table would gain rows)
                Pg.execute(c, "SET session_replication_role = replica");
                CaptureObjects.dropEventTriggers(c);
                // the set's own publication came with the base too; it is the source's, not the copy's
                io.pgscribe.pg.Publication.dropIfOurs(c, m.slot());
                // a replica identity: a publication FOR ALL TABLES from the base refuses UPDATE of a table without one
                ProgressRecord.create(c);
            }
            Summary s = applySegments(chain, m, targetDb, t0, target, o);
            ok = true;
            return s;
        } finally {
            if (!ok) {
                dropQuietly(admin, o.targetDatabase());
            }
        }
    }

    /**
     * Every --only-table and --only-schema must name something in the base or the stream: a typo
     * would otherwise restore an empty database and call it done.
     */
    private void refuseEmptyScope(Chain chain, Manifest m, RestoreScope scope) {
        java.util.Set<RestoreScope.Name> known = new java.util.TreeSet<>(java.util.Comparator.comparing(RestoreScope.Name::toString));
        known.addAll(BaseFilter.tablesOf(() -> BaseSql.open(chain, tools)));
        m.capture().tables().forEach(t -> known.add(new RestoreScope.Name(t.schema(), t.table())));
        List<String> unknown = new java.util.ArrayList<>();
        List<String> like = new java.util.ArrayList<>();
        for (RestoreScope.Name n : scope.tables()) {
            if (!known.contains(n)) {
                unknown.add("--only-table " + n);
                known.stream().filter(k -> k.name().equalsIgnoreCase(n.name())).forEach(k -> like.add(quoted(k)));
            }
        }
        for (String schema : scope.schemas()) {
            if (known.stream().noneMatch(k -> k.schema().equals(schema))) {
                unknown.add("--only-schema " + schema);
                known.stream().filter(k -> k.schema().equalsIgnoreCase(schema)).map(k -> SqlText.identifier(k.schema()))
                        .distinct().forEach(like::add);
            }
        }
        if (!unknown.isEmpty()) {
            throw new PgscribeException(String.join(", ", unknown) + ": no such table in the base " + chain.base().file()
                    + " or in the stream after it, so this restore would bring back nothing",
                    (like.isEmpty() ? "Check the name (schema.table, as in \\dt)." : "Did you mean " + String.join(" or ",
                            like.stream().distinct().toList()) + "? Quote names with capitals in the flag: --only-table '\"Sales\".\"Orders\"'.")
                            + " `pgscribe restore --plan` shows the chain.", ExitCode.USAGE, null);
        }
    }

    private static String quoted(RestoreScope.Name n) {
        return SqlText.identifier(n.schema()) + "." + SqlText.identifier(n.name());
    }

    /** DDL runs as the role that ran it, never as someone else: every such role must exist on the target. */
    private static void refuseMissingRoles(Connection c, Chain chain, Options o) throws SQLException {
        java.util.TreeSet<String> roles = new java.util.TreeSet<>();
        chain.segments().forEach(s -> {
            if (s.ddlRoles() != null) {
                roles.addAll(s.ddlRoles());
            }
        });
        if (roles.isEmpty()) {
            return;
        }
        java.util.Set<String> present = new java.util.HashSet<>(Pg.query(c,
                "SELECT rolname FROM pg_catalog.pg_roles WHERE rolname = ANY (?)", rs -> rs.getString(1),
                (Object) roles.toArray(new String[0])));
        roles.removeAll(present);
        if (!roles.isEmpty()) {
            throw new PgscribeException("the segments of this restore replay DDL as role(s) the target server "
                    + o.targetServer().host() + ":" + o.targetServer().port() + " does not have: " + String.join(", ", roles)
                    + "; pgscribe replays DDL only as the role that ran it", o.withGlobals()
                    ? "Create them on the target server (they are not in the globals dump this restore applied)."
                    : "Restore with --with-globals (the roles of the source), or create them on the target server.",
                    ExitCode.REFUSED, null);
        }
    }

    /** A target given by flags is fixed by flags; the default target is the source server. */
    private static Pg.Knobs knobs(Options o) {
        return o.targetServer().withDatabase("x").equals(o.source().withDatabase("x")) ? Pg.Knobs.SOURCE : Pg.Knobs.RESTORE_TARGET;
    }

    /**
     * The source database is never a target: known by the target server's system identifier and
     * the database name, whatever host name or address reaches it.
     */
    private static void refuseSource(Connection admin, Options o, Manifest m) throws SQLException {
        SourceIdentity server = SourceIdentity.read(admin);
        if (server.systemIdentifier().equals(m.source().systemIdentifier()) && m.source().database().equals(o.targetDatabase())) {
            throw new PgscribeException("the target database " + o.targetDatabase() + " on " + o.targetServer().host() + ":"
                    + o.targetServer().port() + " is the database this backup is of (the server's system identifier "
                    + server.systemIdentifier() + " is the one the backup set records)",
                    "Restore into a new name, check it, then switch the application over.", ExitCode.REFUSED, null);
        }
    }

    /**
     * {@code --replace} drops only a database nothing captures: one with pgscribe's event triggers
     * or a replication slot is a live source (perhaps renamed, perhaps of another set), and
     * dropping it would drop its slots and break its backups.
     */
    private static void refuseCaptured(ConnectionSpec targetDb, Options o) throws SQLException {
        List<String> found = new java.util.ArrayList<>();
        try (Connection c = Pg.connect(targetDb, "pgscribe-restore")) {
            found.addAll(Pg.query(c, "SELECT 'replication slot ' || slot_name FROM pg_catalog.pg_replication_slots "
                    + "WHERE database = pg_catalog.current_database() ORDER BY slot_name", rs -> rs.getString(1)));
            found.addAll(Pg.query(c, "SELECT 'event trigger ' || evtname FROM pg_catalog.pg_event_trigger "
                    + "WHERE evtname LIKE 'pgscribe\\_%' ORDER BY evtname", rs -> rs.getString(1)));
        }
        if (!found.isEmpty()) {
            throw new PgscribeException("--replace would drop database " + o.targetDatabase() + " on " + o.targetServer().host()
                    + ":" + o.targetServer().port() + ", which is being captured (" + String.join(", ", found)
                    + "): a source, not a restored copy", "Restore into a new name. To retire that database, stop its "
                    + "pipeline and run `pgscribe uninstall` for it first.", ExitCode.REFUSED, null);
        }
    }

    private static JsonNode readMetadata(Chain chain) {
        if (chain.base().metadataFile() == null) {
            return null;
        }
        try (java.io.InputStream in = chain.open(chain.base().metadataFile())) {
            return new ObjectMapper().readTree(in);
        } catch (IOException | UncheckedIOException e) {
            throw new PgscribeException("cannot read " + chain.base().metadataFile() + ": " + e.getMessage(),
                    "The metadata file matched its checksum, so the disk may be failing.", ExitCode.DAMAGED, e);
        }
    }

    static String createDatabase(String name, JsonNode md) {
        StringBuilder sql = new StringBuilder("CREATE DATABASE ").append(SqlText.identifier(name)).append(" TEMPLATE template0");
        if (md != null) {
            JsonNode db = md.path("database");
            sql.append(" ENCODING ").append(SqlText.literal(db.path("encoding").asText("UTF8")));
            if ("icu".equals(db.path("localeProvider").asText())) {
                sql.append(" LOCALE_PROVIDER icu ICU_LOCALE ").append(SqlText.literal(db.path("locale").asText()));
            }
            sql.append(" LC_COLLATE ").append(SqlText.literal(db.path("collate").asText()));
            sql.append(" LC_CTYPE ").append(SqlText.literal(db.path("ctype").asText()));
        }
        return sql.toString();
    }

    private void loadBase(Chain chain, ConnectionSpec target, RestoreScope scope) throws SQLException {
        BaseEntry entry = chain.base();
        Path base = chain.locate(entry);
        Path filtered = null;
        try {
            java.util.function.Supplier<java.io.InputStream> script;
            if (scope.all()) {
                script = () -> BaseSql.open(chain, tools);
            } else {
                filtered = Files.createTempFile(chain.backupDir(), ".restore-subset-", ".sql");
                io.pgscribe.storage.DurableFiles.ownerOnly(filtered);
                out.println("Base: " + new BaseFilter(scope).filter(() -> BaseSql.open(chain, tools), filtered));
                Path file = filtered;
                script = () -> {
                    try {
                        return Files.newInputStream(file);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                };
            }
            out.println("Loading base into " + target.database() + " ...");
            notRefreshed.clear();
            // the script goes through standard input: a compressed or custom-format base is never unpacked on disk.
            // replica: the base's own event triggers, triggers and rules must not fire at its load (pg_dump's
            // REFRESH MATERIALIZED VIEW would feed a DDL audit table rows the stream brings again)
            java.util.Map<String, String> env = new java.util.HashMap<>(target.toolEnvironment());
            env.put("PGOPTIONS", "-c session_replication_role=replica");
            BaseLoader.Loaded loaded = new BaseLoader(tools, target, env).load(script, entry.file());
            if (loaded.asOwner() > 0) {
                out.println("Base: the rows of " + loaded.asOwner() + " table(s) with CHECK constraints or generated columns "
                        + "were loaded with their owner's rights");
            }
            warnUnpopulated(loaded.unpopulated());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (filtered != null) {
                try {
                    Files.deleteIfExists(filtered);
                } catch (IOException e) {
                    out.println("WARNING: could not delete " + filtered);
                }
            }
        }
    }

    private Summary applySegments(Chain chain, Manifest m, ConnectionSpec target, long t0, RestoreTarget restoreTarget,
                                  Options o) throws SQLException {
        Lsn consistentPoint = chain.consistentPoint();
        Charset charset = PgEncodings.charsetOf(m.source().encoding());
        SegmentApplier applier;
        int segmentsRead = 0;
        long applyStart = System.nanoTime();
        Progress progress = new Progress(chain.segmentBytes(), out, terminal);
        long bytesBefore = 0;
        RoleSandbox installed = null;
        try (Connection c = Pg.connect(target, "pgscribe-restore");
             Connection admin = Pg.connect(target, "pgscribe-restore-roles")) {
            SessionPins pins = new SessionPins();
            Pg.execute(c, pins.sql());
            Lsn lastApplied = ProgressRecord.read(c, target.database());
            if (lastApplied != null) {
                out.println("Continuing after commit LSN " + lastApplied + ", the last transaction applied to " + target.database());
            }
            RoleSandbox sandbox = new RoleSandbox(c, admin);
            sandbox.install();
            installed = sandbox;
            applier = new SegmentApplier(c, o.scope(), consistentPoint, lastApplied, restoreTarget, out, sandbox, pins,
                    o.allowLegacyDdl(), DecoderPlugin.fromName(m.decoder())
                            == DecoderPlugin.DECODER_RAW);
            for (SegmentEntry seg : chain.segments()) {
                segmentsRead++;
                try (SegmentReader reader = chain.reader(seg, charset, true)) {
                    long base = bytesBefore;
                    boolean more = applier.apply(seg, reader, () -> progress.update(base + reader.charsRead(),
                            applier.applied()));
                    bytesBefore += seg.bytes();
                    if (!more) {
                        break;
                    }
                } catch (PgscribeException e) {
                    applier.rollbackQuietly();
                    throw e;
                }
            }
            applier.close();
            progress.finish(bytesBefore, applier.applied());
            Duration applying = Duration.ofNanos(System.nanoTime() - applyStart);
            boolean reached = applier.reachedTarget() || chain.moreAfterTarget();
            Pg.execute(c, pins.sql());
            int raised = SequenceSync.raiseOwnedSequences(c);
            refreshMaterializedViews(c, sandbox);
            List<String> users = CaptureObjects.outsideDependents(c);
            if (users.isEmpty()) {
                CaptureObjects.uninstall(c);
            } else {
                // a role's column of a pgscribe type, a view over its DDL log: CASCADE would drop them with their data
                CaptureObjects.dropEventTriggers(c);
                out.println("WARNING: schema pgscribe is left in " + target.database() + ": its objects are used by "
                        + String.join("; ", users));
            }
            sandbox.uninstall();
            installed = null;
            if (!o.keepProgress()) {
                ProgressRecord.drop(c);
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);
            out.println("Applied " + applier.applied() + " transaction(s) (" + applier.statements() + " statements"
                    + (applier.copied() > 0 ? ", " + applier.copied() + " rows of them inserted by COPY" : "") + ") from "
                    + segmentsRead + " segment(s); skipped " + applier.skipped() + " already in the base or already applied");
            if (applier.ddlSkipped() > 0) {
                out.println("Left out " + applier.ddlSkipped() + " DDL statement(s) about objects outside the restored tables");
            }
            if (applier.ddlNotReplayed() > 0) {
                out.println("WARNING: " + applier.ddlNotReplayed() + " DDL statement(s) in the applied transactions were "
                        + "not replayed (the capture could not tell what ran); the restored database lacks them. Why: "
                        + String.join("; ", applier.notReplayedWhy()));
            }
            if (restoreTarget.kind() != RestoreTarget.Kind.LATEST) {
                out.println(reached ? "Stopped at the target: " + restoreTarget.describe()
                        + (applier.lastHeader() == null ? "" : "; last applied: commit LSN " + applier.lastHeader().commitLsn()
                        + ", " + applier.lastHeader().commitTime())
                        : "WARNING: the backup ends before the target (" + restoreTarget.describe()
                        + "): everything it holds was applied");
            }
            out.println("Sequences raised to their column's maximum: " + raised);
            out.println("Restored " + target.database() + " in " + elapsed.toMillis() / 1000.0 + " s (segments applied in "
                    + applying.toMillis() / 1000.0 + " s)");
            return new Summary(chain.base().file(), segmentsRead, applier.applied(), applier.skipped(), applier.statements(),
                    raised, elapsed, applying, reached, applier.ddlSkipped(), applier.copied(), applier.ddlNotReplayed());
        } catch (RuntimeException | SQLException e) {
            // a failed restore leaves neither its sandbox nor its role behind (the database may stay, for --continue)
            if (installed != null) {
                try (Connection again = Pg.connect(target, "pgscribe-restore-roles")) {
                    installed.uninstall(again);
                } catch (RuntimeException | SQLException cleanup) {
                    out.println("WARNING: could not drop the restore's sandbox (schema " + RoleSandbox.PREFIX
                            + "..., role pgscribe_nobody_...): " + cleanup.getMessage());
                }
            }
            throw e;
        }
    }

    private static String describe(RestoreScope scope) {
        StringBuilder sb = new StringBuilder();
        if (!scope.tables().isEmpty()) {
            sb.append("tables ").append(String.join(", ", scope.tables().stream().map(RestoreScope.Name::toString).sorted().toList()));
        }
        if (!scope.schemas().isEmpty()) {
            sb.append(sb.isEmpty() ? "" : "; ").append("schemas ").append(String.join(", ", scope.schemas().stream().sorted().toList()));
        }
        return sb.toString();
    }

    /** Matviews the restore did not refresh, each warned about once. */
    private final java.util.Set<RestoreScope.Name> notRefreshed = new java.util.HashSet<>();

    private void warnUnpopulated(java.util.Map<RestoreScope.Name, String> unpopulated) {
        unpopulated.forEach((m, why) -> {
            if (notRefreshed.add(m)) {
                String q = SqlText.qualified(m.schema(), m.name());
                out.println("WARNING: materialized view " + q + " is not refreshed by the restore: " + why
                        + ". Look at that code, then run REFRESH MATERIALIZED VIEW " + q + " as its owner.");
            }
        });
    }

    private void refreshMaterializedViews(Connection c, RoleSandbox sandbox) throws SQLException {
        java.util.Map<RestoreScope.Name, String> unpopulated = MatviewRefresh.leftUnpopulated(c);
        warnUnpopulated(unpopulated);
        List<String> views = Pg.query(c, "SELECT schemaname, matviewname FROM pg_catalog.pg_matviews WHERE ispopulated "
                + "ORDER BY 1, 2", rs -> new RestoreScope.Name(rs.getString(1), rs.getString(2))).stream()
                .filter(v -> !unpopulated.containsKey(v)).map(v -> SqlText.qualified(v.schema(), v.name())).toList();
        if (views.isEmpty()) {
            return;
        }
        // a superuser's view may call a role's function: it runs with that role's rights, as in the base's load
        List<Long> flipped = FunctionsAsOwners.apply(c);
        // and a role's function must not make itself SECURITY INVOKER again for the next view's refresh
        sandbox.installGuard("during the restore's refresh of materialized views", "A role's function a materialized "
                + "view calls ran DDL; refresh that view by hand after looking at the function.");
        Pg.execute(c, sandbox.guardOn());
        try {
            for (String v : views) {
                Pg.execute(c, "REFRESH MATERIALIZED VIEW " + v);
            }
        } finally {
            Pg.execute(c, sandbox.guardOff());
            FunctionsAsOwners.restore(c, flipped);
        }
    }

    private void dropQuietly(ConnectionSpec admin, String db) {
        try (Connection c = Pg.connect(admin, "pgscribe-restore")) {
            Pg.execute(c, "DROP DATABASE IF EXISTS " + SqlText.identifier(db) + " WITH (FORCE)");
            out.println("Dropped the unfinished database " + db);
        } catch (RuntimeException | SQLException e) {
            out.println("WARNING: could not drop the unfinished database " + db + ": " + e.getMessage());
        }
    }
}
