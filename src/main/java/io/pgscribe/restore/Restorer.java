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
        RestoreRefusals.olderCopy(real, trust, o.target(), out);
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
            RestoreRefusals.emptyScope(chain, m, o.scope(), tools);
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
                RestoreRefusals.source(c, o, m);
            }
            return applySegments(chain, m, targetDb, t0, target, o);
        }
        try (Connection c = Pg.connect(admin, "pgscribe-restore", knobs(o))) {
            RestoreRefusals.source(c, o, m);
            if (!Pg.query(c, "SELECT 1 FROM pg_database WHERE datname = ?", rs -> 1, o.targetDatabase()).isEmpty()) {
                if (!o.replace()) {
                    throw new PgscribeException("database " + o.targetDatabase() + " already exists on " + admin.host() + ":"
                            + admin.port(), "Restore into a new name, or pass --replace to drop it first (--continue applies "
                            + "new segments to one restored with --keep-progress).", ExitCode.REFUSED, null);
                }
                RestoreRefusals.captured(targetDb, o);
                Pg.execute(c, "DROP DATABASE " + SqlText.identifier(o.targetDatabase()) + " WITH (FORCE)");
                out.println("Dropped the existing database " + o.targetDatabase() + " (--replace)");
            }
            if (o.withGlobals()) {
                GlobalsApplier.Result g = GlobalsApplier.apply(c, chain.open(chain.globals().file()), out);
                out.println("Globals: " + g.applied() + " statement(s) of " + chain.globals().file() + " applied");
            }
            RestoreRefusals.missingRoles(c, chain, o);
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

    /** A target given by flags is fixed by flags; the default target is the source server. */
    private static Pg.Knobs knobs(Options o) {
        return o.targetServer().withDatabase("x").equals(o.source().withDatabase("x")) ? Pg.Knobs.SOURCE : Pg.Knobs.RESTORE_TARGET;
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
            SegmentApplier.Result applied = applier.result();
            progress.finish(bytesBefore, applied.applied());
            Duration applying = Duration.ofNanos(System.nanoTime() - applyStart);
            boolean reached = applied.reachedTarget() || chain.moreAfterTarget();
            Pg.execute(c, pins.sql());
            int raised = SequenceSync.raiseOwnedSequences(c);
            java.util.Map<RestoreScope.Name, String> unpopulated = MatviewRefresh.leftUnpopulated(c);
            warnUnpopulated(unpopulated);
            MatviewRefresh.refreshPopulated(c, sandbox, unpopulated.keySet());
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
            out.println("Applied " + applied.applied() + " transaction(s) (" + applied.statements() + " statements"
                    + (applied.copied() > 0 ? ", " + applied.copied() + " rows of them inserted by COPY" : "") + ") from "
                    + segmentsRead + " segment(s); skipped " + applied.skipped() + " already in the base or already applied");
            if (applied.ddlSkipped() > 0) {
                out.println("Left out " + applied.ddlSkipped() + " DDL statement(s) about objects outside the restored tables");
            }
            if (applied.ddlNotReplayed() > 0) {
                out.println("WARNING: " + applied.ddlNotReplayed() + " DDL statement(s) in the applied transactions were "
                        + "not replayed (the capture could not tell what ran); the restored database lacks them. Why: "
                        + String.join("; ", applied.notReplayedWhy()));
            }
            if (restoreTarget.kind() != RestoreTarget.Kind.LATEST) {
                out.println(reached ? "Stopped at the target: " + restoreTarget.describe()
                        + (applied.lastHeader() == null ? "" : "; last applied: commit LSN " + applied.lastHeader().commitLsn()
                        + ", " + applied.lastHeader().commitTime())
                        : "WARNING: the backup ends before the target (" + restoreTarget.describe()
                        + "): everything it holds was applied");
            }
            out.println("Sequences raised to their column's maximum: " + raised);
            out.println("Restored " + target.database() + " in " + elapsed.toMillis() / 1000.0 + " s (segments applied in "
                    + applying.toMillis() / 1000.0 + " s)");
            return new Summary(chain.base().file(), segmentsRead, applied.applied(), applied.skipped(), applied.statements(),
                    raised, elapsed, applying, reached, applied.ddlSkipped(), applied.copied(), applied.ddlNotReplayed());
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

    private void dropQuietly(ConnectionSpec admin, String db) {
        try (Connection c = Pg.connect(admin, "pgscribe-restore")) {
            Pg.execute(c, "DROP DATABASE IF EXISTS " + SqlText.identifier(db) + " WITH (FORCE)");
            out.println("Dropped the unfinished database " + db);
        } catch (RuntimeException | SQLException e) {
            out.println("WARNING: could not drop the unfinished database " + db + ": " + e.getMessage());
        }
    }
}
