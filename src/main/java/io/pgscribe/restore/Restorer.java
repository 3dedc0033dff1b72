package io.pgscribe.restore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.init.CaptureObjects;
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
import io.pgscribe.sql.SqlText;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code pgscribe restore}: a new database from a base and the segments after it.
 *
 * <ol>
 *   <li>Every file of the chain is checked against the manifest before anything else.</li>
 *   <li>The target is created (never an existing database, never the source).</li>
 *   <li>The base is loaded with psql; the segments are applied in order, with
 *       session_replication_role = replica, skipping every transaction the base already
 *       holds (commit LSN before its consistent point) and any transaction seen twice.</li>
 *   <li>Owned sequences are raised to their column's maximum; pgscribe's capture objects
 *       are removed from the copy.</li>
 * </ol>
 * On failure the half-built target is dropped.
 */
public final class Restorer {

    private static final int FLUSH_CHARS = 1 << 20;

    /**
     * Where to restore to. {@code keepProgress}: leave the record of the last applied
     * transaction in the target ({@code pgscribe_restore.progress}); {@code continueExisting}:
     * the target was restored with it, apply only what came after.
     */
    public record Options(Path backupDir, ConnectionSpec source, ConnectionSpec targetServer, String targetDatabase,
                          boolean keepProgress, boolean continueExisting) {
        public Options(Path backupDir, ConnectionSpec source, ConnectionSpec targetServer, String targetDatabase) {
            this(backupDir, source, targetServer, targetDatabase, false, false);
        }
    }

    static final String PROGRESS = "pgscribe_restore.progress";

    /** What a restore did. */
    public record Summary(String base, int segments, long transactionsApplied, long transactionsSkipped, long statements,
                          int sequencesRaised, Duration elapsed) {
    }

    private final PgTools tools;
    private final PrintStream out;

    public Restorer(PgTools tools, PrintStream out) {
        this.tools = tools;
        this.out = out;
    }

    public Summary run(Options o) throws SQLException {
        long t0 = System.nanoTime();
        Manifest m = ManifestStore.read(o.backupDir().resolve(ManifestStore.FILE_NAME));
        Chain chain = Chain.latest(o.backupDir(), m);
        chain.verifyFiles();
        out.println("Chain: base " + chain.base().file() + " (consistent point " + chain.base().consistentPoint() + ") + "
                + chain.segments().size() + " segment(s); every file matches the manifest");

        ConnectionSpec admin = o.targetServer().withDatabase("postgres");
        ConnectionSpec target = o.targetServer().withDatabase(o.targetDatabase());
        refuseSource(o, m);
        if (o.continueExisting()) {
            return applySegments(chain, m, target, t0, o.keepProgress());
        }
        try (Connection c = Pg.connect(admin, "pgscribe-restore")) {
            if (!Pg.query(c, "SELECT 1 FROM pg_database WHERE datname = ?", rs -> 1, o.targetDatabase()).isEmpty()) {
                throw new PgscribeException("database " + o.targetDatabase() + " already exists on " + admin.host() + ":"
                        + admin.port(), "Restore into a new name; pgscribe never overwrites a database (--continue "
                        + "applies new segments to one restored with --keep-progress).", ExitCode.REFUSED, null);
            }
            Pg.execute(c, createDatabase(o.targetDatabase(), readMetadata(chain)));
        }
        boolean ok = false;
        try {
            loadBase(chain, target);
            try (Connection c = Pg.connect(target, "pgscribe-restore")) {
                Pg.execute(c, "CREATE SCHEMA pgscribe_restore; CREATE TABLE " + PROGRESS + " (lsn pg_lsn, xid bigint, "
                        + "commit_time text, segment text, applied_at timestamptz); INSERT INTO " + PROGRESS
                        + " (segment) VALUES (NULL)");
            }
            Summary s = applySegments(chain, m, target, t0, o.keepProgress());
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

    private JsonNode readMetadata(Chain chain) {
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

    private void loadBase(Chain chain, ConnectionSpec target) {
        out.println("Loading base into " + target.database() + " ...");
        PgTools.Result r = PgTools.run(List.of(tools.path("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction",
                "--no-password", "-d", target.conninfo("pgscribe-restore"),
                "-f", chain.backupDir().resolve(chain.base().file()).toString()), target.toolEnvironment(), Duration.ofHours(24));
        if (!r.ok()) {
            throw new PgscribeException("loading the base " + chain.base().file() + " failed: " + r.stderr().strip(),
                    "Fix the cause above (e.g. roles the base refers to: restore the globals first) and run restore again.",
                    ExitCode.FAILED, null);
        }
    }

    private Summary applySegments(Chain chain, Manifest m, ConnectionSpec target, long t0, boolean keepProgress)
            throws SQLException {
        Lsn consistentPoint = chain.consistentPoint();
        Charset charset = PgEncodings.charsetOf(m.source().encoding());
        long applied = 0;
        long skipped = 0;
        long statements = 0;
        int segmentsRead = 0;
        try (Connection c = Pg.connect(target, "pgscribe-restore")) {
            Lsn lastApplied = readProgress(c, target.database());
            if (lastApplied != null) {
                out.println("Continuing after commit LSN " + lastApplied + ", the last transaction applied to " + target.database());
            }
            Statement st = c.createStatement();
            st.setEscapeProcessing(false);
            for (SegmentEntry seg : chain.segments()) {
                segmentsRead++;
                StringBuilder buf = new StringBuilder(FLUSH_CHARS + 4096);
                TransactionHeader current = null;
                boolean skip = false;
                try (SegmentReader reader = new SegmentReader(chain.backupDir().resolve(seg.file()), charset)) {
                    SegmentReader.Part part;
                    while ((part = reader.next()) != null) {
                        if (part instanceof SegmentReader.Setup s) {
                            execute(st, s.sql(), seg, null);
                        } else if (part instanceof SegmentReader.Begin b) {
                            current = b.header();
                            skip = current.hasIdentity() && (current.commitLsn().isBefore(consistentPoint)
                                    || (lastApplied != null && !current.commitLsn().isAfter(lastApplied)));
                            if (!skip) {
                                buf.append("BEGIN;\n");
                            }
                        } else if (part instanceof SegmentReader.Body b) {
                            if (!skip) {
                                buf.append(b.sql());
                                statements++;
                                if (buf.length() >= FLUSH_CHARS) {
                                    execute(st, buf.toString(), seg, current);
                                    buf.setLength(0);
                                }
                            }
                        } else if (part instanceof SegmentReader.Commit) {
                            if (skip) {
                                skipped++;
                            } else {
                                if (current.hasIdentity()) {
                                    // in the same transaction: applied and recorded together, or neither
                                    buf.append("UPDATE ").append(PROGRESS).append(" SET lsn = '").append(current.commitLsn())
                                            .append("', xid = ").append(current.xid()).append(", commit_time = ")
                                            .append(current.commitTime() == null ? "NULL" : Pg.literal(current.commitTime()))
                                            .append(", segment = ").append(Pg.literal(seg.file()))
                                            .append(", applied_at = now();\n");
                                }
                                buf.append("COMMIT;\n");
                                execute(st, buf.toString(), seg, current);
                                buf.setLength(0);
                                applied++;
                                if (current.hasIdentity()) {
                                    lastApplied = current.commitLsn();
                                }
                            }
                            current = null;
                        }
                    }
                } catch (PgscribeException e) {
                    rollbackQuietly(st);
                    throw e;
                }
            }
            int raised = SequenceSync.raiseOwnedSequences(c);
            refreshMaterializedViews(c);
            CaptureObjects.uninstall(c);
            if (!keepProgress) {
                Pg.execute(c, "DROP SCHEMA IF EXISTS pgscribe_restore CASCADE");
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);
            out.println("Applied " + applied + " transaction(s) (" + statements + " statements) from " + segmentsRead
                    + " segment(s); skipped " + skipped + " already in the base or seen twice");
            out.println("Sequences raised to their column's maximum: " + raised);
            out.println("Restored " + target.database() + " in " + elapsed.toMillis() / 1000.0 + " s");
            return new Summary(chain.base().file(), segmentsRead, applied, skipped, statements, raised, elapsed);
        }
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

    private static void execute(Statement st, String sql, SegmentEntry seg, TransactionHeader h) {
        try {
            st.execute(sql);
        } catch (SQLException e) {
            rollbackQuietly(st);
            String where = h == null ? "" : h.hasIdentity() ? " in transaction xid " + h.xid() + " (commit LSN "
                    + h.commitLsn() + ", " + h.commitTime() + ")" : " in a transaction";
            throw new PgscribeException("applying " + seg.file() + where + " failed: " + e.getMessage(),
                    "The restored database was dropped. If the cause is an object the segment needs (a role, an "
                            + "extension), create it on the target server and run restore again.", ExitCode.FAILED, e);
        }
    }

    private static void rollbackQuietly(Statement st) {
        try {
            st.execute("ROLLBACK");
        } catch (SQLException ignored) {
            // no transaction open
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

    static List<String> args(String... a) {
        return new ArrayList<>(List.of(a));
    }
}
