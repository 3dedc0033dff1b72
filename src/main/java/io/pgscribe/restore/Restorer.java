package io.pgscribe.restore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.init.CaptureObjects;
import io.pgscribe.manifest.BaseEntry;
import io.pgscribe.manifest.Manifest;
import io.pgscribe.manifest.ManifestStore;
import io.pgscribe.manifest.SegmentEntry;
import io.pgscribe.segment.SegmentReader;
import io.pgscribe.segment.TransactionHeader;
import io.pgscribe.server.ConnectionSpec;
import io.pgscribe.server.Pg;
import io.pgscribe.server.PgEncodings;
import io.pgscribe.server.PgTools;
import io.pgscribe.slot.Lsn;
import io.pgscribe.sql.SqlScanner;
import io.pgscribe.sql.SqlText;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.postgresql.PGConnection;

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

    private static final int FLUSH_CHARS = 1 << 20;
    /** At most this many source transactions, or statements, in one target transaction. */
    static final int GROUP_TRANSACTIONS = 1000;
    static final long GROUP_STATEMENTS = 100_000;
    static final String PROGRESS = "pgscribe_restore.progress";

    /**
     * What to restore, where, and how. {@code keepProgress}: leave the record of the last
     * applied transaction in the target; {@code continueExisting}: the target was restored
     * with it, apply only what came after; {@code planOnly}: print the plan and stop.
     */
    public record Options(Path backupDir, ConnectionSpec source, ConnectionSpec targetServer, String targetDatabase,
                          RestoreTarget target, RestoreScope scope, boolean withGlobals, boolean replace,
                          boolean keepProgress, boolean continueExisting, boolean planOnly) {

        public Options(Path backupDir, ConnectionSpec source, ConnectionSpec targetServer, String targetDatabase) {
            this(backupDir, source, targetServer, targetDatabase, RestoreTarget.LATEST, RestoreScope.ALL, false, false,
                    false, false, false);
        }

        public Options(Path backupDir, ConnectionSpec source, ConnectionSpec targetServer, String targetDatabase,
                       boolean keepProgress, boolean continueExisting) {
            this(backupDir, source, targetServer, targetDatabase, RestoreTarget.LATEST, RestoreScope.ALL, false, false,
                    keepProgress, continueExisting, false);
        }

        public Options withTarget(RestoreTarget t) {
            return new Options(backupDir, source, targetServer, targetDatabase, t, scope, withGlobals, replace, keepProgress,
                    continueExisting, planOnly);
        }

        public Options withScope(RestoreScope s) {
            return new Options(backupDir, source, targetServer, targetDatabase, target, s, withGlobals, replace, keepProgress,
                    continueExisting, planOnly);
        }

        public Options withGlobals(boolean g) {
            return new Options(backupDir, source, targetServer, targetDatabase, target, scope, g, replace, keepProgress,
                    continueExisting, planOnly);
        }

        public Options withReplace(boolean r) {
            return new Options(backupDir, source, targetServer, targetDatabase, target, scope, withGlobals, r, keepProgress,
                    continueExisting, planOnly);
        }

        public Options withPlanOnly(boolean p) {
            return new Options(backupDir, source, targetServer, targetDatabase, target, scope, withGlobals, replace,
                    keepProgress, continueExisting, p);
        }
    }

    /** What a restore did (or, for a plan, would do); {@code applying}: the time spent applying segments. */
    public record Summary(String base, int segments, long transactionsApplied, long transactionsSkipped, long statements,
                          int sequencesRaised, Duration elapsed, Duration applying, boolean reachedTarget, long ddlSkipped,
                          long rowsCopied) {
    }

    private final PgTools tools;
    private final PrintStream out;
    private final boolean terminal;

    public Restorer(PgTools tools, PrintStream out) {
        this(tools, out, false);
    }

    /** {@code terminal}: progress as a bar (on a terminal) rather than log lines. */
    public Restorer(PgTools tools, PrintStream out, boolean terminal) {
        this.tools = tools;
        this.out = out;
        this.terminal = terminal;
    }

    public Summary run(Options o) throws SQLException {
        long t0 = System.nanoTime();
        Manifest m = ManifestStore.read(o.backupDir().resolve(ManifestStore.FILE_NAME));
        RestoreTarget target = o.target();
        if (target.kind() != RestoreTarget.Kind.LATEST && !io.pgscribe.decode.DecoderPlugin.fromName(m.decoder())
                .carriesTransactionIdentity()) {
            throw new PgscribeException("this backup set was made with " + m.decoder()
                    + ", whose segments carry no commit LSN, time or xid: it can be restored only to its latest transaction",
                    "Leave out --to-time, --to-lsn and --to-xid.", ExitCode.REFUSED, null);
        }
        Charset charset = PgEncodings.charsetOf(m.source().encoding());
        if (target.kind() == RestoreTarget.Kind.XID) {
            Chain all = Chain.latest(o.backupDir(), m);
            all.verifyFiles();
            target = ChainScan.resolveXid(all, target, charset);
        }
        Chain chain = Chain.select(o.backupDir(), m, target);
        chain.verifyFiles();
        if (o.withGlobals()) {
            if (chain.globals() == null) {
                throw new PgscribeException("the backup set has no globals dump", "Restore without --with-globals.",
                        ExitCode.DAMAGED, null);
            }
            chain.verifyGlobals();
        }
        if (o.planOnly()) {
            ChainScan.Counts counts = ChainScan.count(chain, target, charset);
            RestorePlan.print(chain, target, o, counts, out);
            return new Summary(chain.base().file(), chain.segments().size(), counts.toApply(), counts.inBase(), 0, 0,
                    Duration.ofNanos(System.nanoTime() - t0), Duration.ZERO, true, 0, 0);
        }
        out.println("Chain: base " + chain.base().file() + " (consistent point " + chain.base().consistentPoint() + ") + "
                + chain.segments().size() + " segment(s); every file matches the manifest");
        out.println("Target: " + target.describe() + (o.scope().all() ? "" : "; only " + describe(o.scope())));

        ConnectionSpec admin = o.targetServer().withDatabase("postgres");
        ConnectionSpec targetDb = o.targetServer().withDatabase(o.targetDatabase());
        refuseSource(o, m);
        if (o.continueExisting()) {
            return applySegments(chain, m, targetDb, t0, target, o);
        }
        try (Connection c = Pg.connect(admin, "pgscribe-restore")) {
            if (!Pg.query(c, "SELECT 1 FROM pg_database WHERE datname = ?", rs -> 1, o.targetDatabase()).isEmpty()) {
                if (!o.replace()) {
                    throw new PgscribeException("database " + o.targetDatabase() + " already exists on " + admin.host() + ":"
                            + admin.port(), "Restore into a new name, or pass --replace to drop it first (--continue applies "
                            + "new segments to one restored with --keep-progress).", ExitCode.REFUSED, null);
                }
                Pg.execute(c, "DROP DATABASE " + SqlText.identifier(o.targetDatabase()) + " WITH (FORCE)");
                out.println("Dropped the existing database " + o.targetDatabase() + " (--replace)");
            }
            if (o.withGlobals()) {
                GlobalsApplier.Result g = GlobalsApplier.apply(c, o.backupDir().resolve(chain.globals().file()), out);
                out.println("Globals: " + g.applied() + " statement(s) of " + chain.globals().file() + " applied");
            }
            Pg.execute(c, createDatabase(o.targetDatabase(), readMetadata(chain)));
        }
        boolean ok = false;
        try {
            loadBase(chain, targetDb, o.scope());
            try (Connection c = Pg.connect(targetDb, "pgscribe-restore")) {
                // the copy's event triggers came with the base: nothing done to the copy is to be logged
                CaptureObjects.dropEventTriggers(c);
                Pg.execute(c, "CREATE SCHEMA pgscribe_restore; CREATE TABLE " + PROGRESS + " (lsn pg_lsn, xid bigint, "
                        + "commit_time text, segment text, applied_at timestamptz); INSERT INTO " + PROGRESS
                        + " (segment) VALUES (NULL)");
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

    private void refuseSource(Options o, Manifest m) {
        ConnectionSpec src = o.source();
        boolean sameServer = src.host().equals(o.targetServer().host()) && src.port() == o.targetServer().port();
        if (sameServer && m.source().database().equals(o.targetDatabase())) {
            throw new PgscribeException("the target database " + o.targetDatabase() + " is the database this backup is of",
                    "Restore into a new name, check it, then switch the application over.", ExitCode.REFUSED, null);
        }
    }

    private static JsonNode readMetadata(Chain chain) {
        if (chain.base().metadataFile() == null) {
            return null;
        }
        try {
            return new ObjectMapper().readTree(chain.backupDir().resolve(chain.base().metadataFile()).toFile());
        } catch (IOException e) {
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

    private void loadBase(Chain chain, ConnectionSpec target, RestoreScope scope) {
        BaseEntry entry = chain.base();
        Path base = chain.locate(entry);
        Path filtered = null;
        try {
            java.io.InputStream script;
            if (scope.all()) {
                script = BaseSql.open(entry, base, tools);
            } else {
                filtered = Files.createTempFile(chain.backupDir(), ".restore-subset-", ".sql");
                io.pgscribe.storage.DurableFiles.ownerOnly(filtered);
                out.println("Base: " + new BaseFilter(scope).filter(() -> BaseSql.open(entry, base, tools), filtered));
                script = Files.newInputStream(filtered);
            }
            out.println("Loading base into " + target.database() + " ...");
            // the script goes through standard input: a compressed or custom-format base is never unpacked on disk
            PgTools.Result r = PgTools.run(List.of(tools.path("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1",
                    "--single-transaction", "--no-password", "-d", target.conninfo("pgscribe-restore"), "-f", "-"),
                    target.toolEnvironment(), Duration.ofHours(24), script);
            if (!r.ok()) {
                throw new PgscribeException("loading the base " + entry.file() + " failed: " + r.stderr().strip(),
                        "Fix the cause above (e.g. roles the base refers to: restore with --with-globals, or create them) "
                                + "and run restore again.", ExitCode.FAILED, null);
            }
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
        try (Connection c = Pg.connect(target, "pgscribe-restore")) {
            Lsn lastApplied = readProgress(c, target.database());
            if (lastApplied != null) {
                out.println("Continuing after commit LSN " + lastApplied + ", the last transaction applied to " + target.database());
            }
            // the progress record commits with each transaction, so an unflushed commit loses both together
            Pg.execute(c, "SET synchronous_commit = off");
            Statement st = c.createStatement();
            st.setEscapeProcessing(false);
            applier = new SegmentApplier(st, o.scope(), consistentPoint, lastApplied, restoreTarget, out);
            for (SegmentEntry seg : chain.segments()) {
                segmentsRead++;
                try (SegmentReader reader = new SegmentReader(chain.locate(seg), charset)) {
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
            progress.finish(bytesBefore, applier.applied());
            Duration applying = Duration.ofNanos(System.nanoTime() - applyStart);
            boolean reached = applier.reachedTarget() || chain.moreAfterTarget();
            int raised = SequenceSync.raiseOwnedSequences(c);
            refreshMaterializedViews(c);
            CaptureObjects.uninstall(c);
            if (!o.keepProgress()) {
                Pg.execute(c, "DROP SCHEMA IF EXISTS pgscribe_restore CASCADE");
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);
            out.println("Applied " + applier.applied() + " transaction(s) (" + applier.statements() + " statements"
                    + (applier.copied() > 0 ? ", " + applier.copied() + " rows of them inserted by COPY" : "") + ") from "
                    + segmentsRead + " segment(s); skipped " + applier.skipped() + " already in the base or already applied");
            if (applier.ddlSkipped() > 0) {
                out.println("Left out " + applier.ddlSkipped() + " DDL statement(s) about objects outside the restored tables");
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
                    raised, elapsed, applying, reached, applier.ddlSkipped(), applier.copied());
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

    /** The commit LSN of the last transaction applied to the target, from its progress record. */
    private static Lsn readProgress(Connection c, String db) throws SQLException {
        boolean exists = Boolean.parseBoolean(Pg.string(c, "SELECT (to_regclass('" + PROGRESS + "') IS NOT NULL)::text"));
        if (!exists) {
            throw new PgscribeException("database " + db + " has no restore progress record (" + PROGRESS + ")",
                    "Only a database restored with --keep-progress can be continued; restore into a new name instead.",
                    ExitCode.REFUSED, null);
        }
        String lsn = Pg.string(c, "SELECT lsn::text FROM " + PROGRESS);
        return lsn == null ? null : Lsn.valueOf(lsn);
    }

    private static void refreshMaterializedViews(Connection c) throws SQLException {
        List<String> views = Pg.query(c, "SELECT format('%I.%I', schemaname, matviewname) FROM pg_matviews WHERE ispopulated "
                + "ORDER BY 1", rs -> rs.getString(1));
        for (String v : views) {
            Pg.execute(c, "REFRESH MATERIALIZED VIEW " + v);
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

    /** Applies one segment's transactions: skipping, stopping at the target, and (for a subset) filtering. */
    static final class SegmentApplier {
        private final Statement st;
        private final RestoreScope scope;
        private final Lsn consistentPoint;
        private final RestoreTarget target;
        private final PrintStream out;
        private Lsn lastApplied;
        private long applied;
        private long skipped;
        private long statements;
        private long ddlSkipped;
        private boolean reachedTarget;
        private TransactionHeader lastHeader;
        private final StringBuilder buf = new StringBuilder(FLUSH_CHARS + 4096);
        private final StatementCoalescer coalescer = new StatementCoalescer(true);
        private final StatementCoalescer.Output output = new StatementCoalescer.Output() {
            @Override
            public StringBuilder sql() {
                return buf;
            }

            @Override
            public void copy(String command, String data, int rows) {
                executeBuffer(segment);
                copied += rows;
                try {
                    st.getConnection().unwrap(PGConnection.class).getCopyAPI().copyIn(command, new StringReader(data));
                } catch (SQLException e) {
                    rollbackQuietly();
                    throw failure(segment, e);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
        private SegmentEntry segment; // the one being applied
        private long copied;
        private String pendingDdlSetup; // a subset restore decides on a DDL's SET and the DDL together
        // source transactions applied together in one target transaction (a group)
        private boolean groupOpen;
        private int groupTransactions;
        private long groupStatements;
        private TransactionHeader groupFirst;
        private TransactionHeader groupLast;
        private boolean currentHasDdl;

        SegmentApplier(Statement st, RestoreScope scope, Lsn consistentPoint, Lsn lastApplied, RestoreTarget target,
                       PrintStream out) {
            this.st = st;
            this.scope = scope;
            this.consistentPoint = consistentPoint;
            this.lastApplied = lastApplied;
            this.target = target;
            this.out = out;
        }

        /**
         * False once the target is reached: nothing further is applied. Consecutive source
         * transactions are applied in one target transaction (up to {@link #GROUP_TRANSACTIONS}
         * of them or {@link #GROUP_STATEMENTS} statements), committed with the progress record
         * of the last: all of a group or none of it is in the target, so a restore that stops
         * leaves the target at a source transaction boundary. A transaction with DDL ends its
         * group (e.g. a new enum value is usable only once its transaction committed), and so
         * does the end of a segment.
         */
        boolean apply(SegmentEntry seg, SegmentReader reader, Runnable onCommit) {
            segment = seg;
            TransactionHeader current = null;
            boolean skip = false;
            SegmentReader.Part part;
            while ((part = reader.next()) != null) {
                if (part instanceof SegmentReader.Setup s) {
                    endGroup(seg);
                    execute(s.sql(), seg);
                } else if (part instanceof SegmentReader.Begin b) {
                    current = b.header();
                    if (target.isPast(current)) {
                        reachedTarget = true;
                        endGroup(seg);
                        return false;
                    }
                    skip = current.hasIdentity() && (current.commitLsn().isBefore(consistentPoint)
                            || (lastApplied != null && !current.commitLsn().isAfter(lastApplied)));
                    if (!skip) {
                        beginInGroup(current);
                    }
                } else if (part instanceof SegmentReader.Body b) {
                    if (!skip) {
                        body(b.sql(), seg);
                    }
                } else if (part instanceof SegmentReader.Commit) {
                    if (skip) {
                        skipped++;
                    } else {
                        commit(seg, current);
                        onCommit.run();
                    }
                    current = null;
                }
            }
            endGroup(seg);
            if (target.kind() == RestoreTarget.Kind.LATEST) {
                reachedTarget = true;
            }
            return true;
        }

        private void beginInGroup(TransactionHeader h) {
            if (!groupOpen) {
                buf.append("BEGIN;\n");
                groupOpen = true;
                groupFirst = h;
            }
            groupLast = h;
            currentHasDdl = false;
        }

        private void body(String sql, SegmentEntry seg) {
            boolean ddlTrace = sql.contains("-- DDL {");
            currentHasDdl |= ddlTrace;
            if (scope.all()) {
                append(sql, seg);
                return;
            }
            String code = SqlScanner.stripLeadingComments(sql);
            if (ddlTrace && code.startsWith("SET search_path")) {
                pendingDdlSetup = sql; // decided together with the DDL that follows
                return;
            }
            if (pendingDdlSetup != null) {
                String setup = pendingDdlSetup;
                pendingDdlSetup = null;
                ddl(setup, sql, code, seg);
                return;
            }
            RestoreScope.Name table = RestoreScope.dmlTarget(code);
            if (table != null) {
                if (scope.includes(table.schema(), table.name())) {
                    append(sql, seg);
                }
                return;
            }
            if (code.regionMatches(true, 0, "TRUNCATE ", 0, 9)) {
                String kept = truncateOfScope(code);
                if (kept != null) {
                    append(kept + "\n", seg);
                }
                return;
            }
            append(sql, seg); // sequence samples and anything else: harmless without its table
        }

        private void append(String sql, SegmentEntry seg) {
            coalescer.add(sql, output);
            statements++;
            groupStatements++;
            if (buf.length() >= FLUSH_CHARS) {
                flush(seg);
            }
        }

        /**
         * A subset restore replays the DDL about its tables and leaves out the rest; DDL that
         * still needs something left out is rolled back to a savepoint and reported.
         */
        private void ddl(String setup, String ddl, String code, SegmentEntry seg) {
            if (!aboutScope(setup, code)) {
                ddlSkipped++;
                return;
            }
            flush(seg);
            try {
                st.execute("SAVEPOINT pgscribe_ddl");
                st.execute(setup + ddl);
                st.execute("RELEASE SAVEPOINT pgscribe_ddl");
                statements += 2;
            } catch (SQLException e) {
                try {
                    st.execute("ROLLBACK TO SAVEPOINT pgscribe_ddl");
                } catch (SQLException rollback) {
                    throw failure(seg, rollback);
                }
                ddlSkipped++;
                out.println("Left out DDL that needs objects outside the restored tables: "
                        + code.lines().findFirst().orElse(code) + " (" + e.getMessage().lines().findFirst().orElse("") + ")");
            }
        }

        private boolean aboutScope(String setup, String code) {
            int at = setup.indexOf("-- DDL {");
            String trace = setup.substring(at + 7, setup.indexOf('\n', at));
            try {
                JsonNode json = new ObjectMapper().readTree(trace);
                for (String identity : json.path("object").asText("").split(", ")) {
                    int dot = identity.indexOf('.');
                    if (dot > 0) {
                        List<String> parts = RestoreScope.splitIdentifiers(identity);
                        if (parts.size() >= 2 && scope.includes(parts.get(0), parts.get(1))) {
                            return true;
                        }
                    }
                }
            } catch (IOException | IllegalArgumentException e) {
                return false;
            }
            // e.g. CREATE INDEX, whose object is the index: about a restored table if it names one
            for (RestoreScope.Name n : RestoreScope.quotedQualifiedNames(code)) {
                if (scope.includes(n.schema(), n.name())) {
                    return true;
                }
            }
            String upper = code.toUpperCase(java.util.Locale.ROOT);
            for (RestoreScope.Name n : scope.tables()) {
                if (upper.contains(" " + n.name().toUpperCase(java.util.Locale.ROOT) + " ")
                        || upper.contains(" " + n.name().toUpperCase(java.util.Locale.ROOT) + "(")) {
                    return true;
                }
            }
            return false;
        }

        private String truncateOfScope(String code) {
            List<RestoreScope.Name> names = RestoreScope.quotedQualifiedNames(code).stream()
                    .filter(n -> scope.includes(n.schema(), n.name())).toList();
            if (names.isEmpty()) {
                return null;
            }
            return "TRUNCATE " + String.join(", ", names.stream().map(n -> "ONLY " + SqlText.qualified(n.schema(), n.name()))
                    .toList()) + ";";
        }

        private void commit(SegmentEntry seg, TransactionHeader h) {
            applied++;
            lastHeader = h;
            groupTransactions++;
            if (currentHasDdl || groupTransactions >= GROUP_TRANSACTIONS || groupStatements >= GROUP_STATEMENTS) {
                endGroup(seg);
            }
        }

        /** Commits the open group, with the progress record of its last transaction in it. */
        private void endGroup(SegmentEntry seg) {
            if (!groupOpen) {
                return;
            }
            coalescer.flush(output);
            TransactionHeader h = groupLast;
            if (h.hasIdentity()) {
                // in the same transaction: applied and recorded together, or neither
                buf.append("UPDATE ").append(PROGRESS).append(" SET lsn = '").append(h.commitLsn())
                        .append("', xid = ").append(h.xid()).append(", commit_time = ")
                        .append(h.commitTime() == null ? "NULL" : Pg.literal(h.commitTime()))
                        .append(", segment = ").append(Pg.literal(seg.file())).append(", applied_at = now();\n");
            }
            buf.append("COMMIT;\n");
            flush(seg);
            if (h.hasIdentity()) {
                lastApplied = h.commitLsn();
            }
            groupOpen = false;
            groupTransactions = 0;
            groupStatements = 0;
            groupFirst = null;
            groupLast = null;
        }

        private void flush(SegmentEntry seg) {
            coalescer.flush(output);
            executeBuffer(seg);
        }

        private void executeBuffer(SegmentEntry seg) {
            if (!buf.isEmpty()) {
                execute(buf.toString(), seg);
                buf.setLength(0);
            }
        }

        private void execute(String sql, SegmentEntry seg) {
            try {
                st.execute(sql);
            } catch (SQLException e) {
                rollbackQuietly();
                throw failure(seg, e);
            }
        }

        private PgscribeException failure(SegmentEntry seg, SQLException e) {
            String where = "";
            if (groupFirst != null && groupFirst.hasIdentity()) {
                where = groupFirst == groupLast
                        ? " in transaction xid " + groupFirst.xid() + " (commit LSN " + groupFirst.commitLsn() + ", "
                                + groupFirst.commitTime() + ")"
                        : " in one of the transactions from xid " + groupFirst.xid() + " (commit LSN " + groupFirst.commitLsn()
                                + ", " + groupFirst.commitTime() + ") to xid " + groupLast.xid() + " (commit LSN "
                                + groupLast.commitLsn() + ", " + groupLast.commitTime() + ")";
            } else if (groupFirst != null) {
                where = " in a transaction";
            }
            return new PgscribeException("applying " + seg.file() + where + " failed: " + e.getMessage(),
                    "The restored database was dropped. If the cause is an object the segment needs (a role, an "
                            + "extension), create it on the target server and run restore again.", ExitCode.FAILED, e);
        }

        void rollbackQuietly() {
            groupOpen = false;
            buf.setLength(0);
            coalescer.discard();
            try {
                st.execute("ROLLBACK");
            } catch (SQLException ignored) {
                // no transaction open
            }
        }

        long applied() {
            return applied;
        }

        long skipped() {
            return skipped;
        }

        long statements() {
            return statements;
        }

        long copied() {
            return copied;
        }

        long ddlSkipped() {
            return ddlSkipped;
        }

        boolean reachedTarget() {
            return reachedTarget;
        }

        TransactionHeader lastHeader() {
            return lastHeader;
        }
    }
}
