package io.pgscribe.restore;

import io.pgscribe.PgscribeException;
import io.pgscribe.ddl.DdlBlock;
import io.pgscribe.manifest.SegmentEntry;
import io.pgscribe.pg.Lsn;
import io.pgscribe.segment.SegmentReader;
import io.pgscribe.segment.TransactionHeader;
import io.pgscribe.sql.SqlScanner;
import io.pgscribe.sql.SqlText;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.postgresql.PGConnection;

/**
 * Applies a chain's segments to the target: skipping what the base holds, stopping at the
 * target, filtering a subset, grouping transactions, and running every statement with no more
 * rights than its author had.
 * <ul>
 *   <li>A DDL block runs as the role the trace names, in {@link RoleSandbox}.</li>
 *   <li>A row change runs with its table owner's rights: in the restore's own session when
 *       the owner is a superuser (COPY and all), else in the owner's sandbox. Roles switch
 *       only when the owner changes.</li>
 *   <li>After anything of a role's ran, the session's settings are put back (SessionPins).</li>
 *   <li>A statement that is not one of the forms pgscribe writes is refused
 *       ({@link RenderedStatement}), whatever it claims to be.</li>
 * </ul>
 */
final class SegmentApplier {

    static final int FLUSH_CHARS = 1 << 20;

    private final Connection c;
    private final Statement st;
    private final RestoreScope scope;
    private final Lsn consistentPoint;
    private final RestoreTarget target;
    private final RoleSandbox sandbox;
    private final TableOwners owners;
    private final RowRoles roles;
    private final SessionPins pins;
    private final DdlReplay ddlReplay;
    private final ComputedColumns rawShapes; // decoder_raw's statements are repaired to the tables' shapes; null otherwise
    private Lsn lastApplied;
    private long applied;
    private long skipped;
    private long statements;
    private long ddlSkipped;
    private long ddlNotReplayed;
    private final List<String> notReplayedWhy = new ArrayList<>();
    private boolean reachedTarget;
    private TransactionHeader lastHeader;
    private final StringBuilder buf = new StringBuilder(FLUSH_CHARS + 4096);
    private String runAs; // the role buf runs as; null: the restore's own session
    private boolean batchRunsCode; // buf is one change of a superuser's table whose rows may run code (TableOwners.Owner)
    private List<Long> openFlip; // while such changes run one by one: the roles' functions made SECURITY DEFINER
    private final StatementCoalescer direct = new StatementCoalescer(true);
    private final StatementCoalescer sandboxed = new StatementCoalescer(false);
    private final StatementCoalescer.Output output = new StatementCoalescer.Output() {
        @Override
        public StringBuilder sql() {
            return buf;
        }

        @Override
        public void copy(String command, String data, int rows) {
            executeBuffer();
            copied += rows;
            try {
                c.unwrap(PGConnection.class).getCopyAPI().copyIn(command, new StringReader(data));
            } catch (SQLException e) {
                rollbackQuietly();
                throw failure(e);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };
    private SegmentEntry segment; // the one being applied
    private long copied;
    // source transactions applied together in one target transaction (a group)
    private boolean groupOpen;
    private int groupTransactions;
    private long groupStatements;
    private TransactionHeader groupFirst;
    private TransactionHeader groupLast;
    private boolean currentHasDdl;

    SegmentApplier(Connection c, RestoreScope scope, Lsn consistentPoint, Lsn lastApplied, RestoreTarget target,
                   PrintStream out, RoleSandbox sandbox, SessionPins pins, boolean allowLegacyDdl, boolean rawStatements)
            throws SQLException {
        this.c = c;
        this.st = c.createStatement();
        st.setEscapeProcessing(false);
        this.scope = scope;
        this.consistentPoint = consistentPoint;
        this.lastApplied = lastApplied;
        this.target = target;
        this.sandbox = sandbox;
        this.owners = new TableOwners(c);
        this.roles = new RowRoles(c, owners);
        this.pins = pins;
        this.ddlReplay = new DdlReplay(st, sandbox, pins, scope, out, allowLegacyDdl);
        this.rawShapes = rawStatements ? new ComputedColumns(c) : null;
        st.execute(pins.sql());
    }

    /**
     * False once the target is reached: nothing further is applied. Consecutive source
     * transactions are applied in one target transaction (up to {@link Restorer#GROUP_TRANSACTIONS}
     * of them or {@link Restorer#GROUP_STATEMENTS} statements), committed with the progress record
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
                endGroup();
                String set = pins.segmentSetting(SqlScanner.stripLeadingComments(s.sql()), seg.file());
                if (set != null) {
                    execute(set);
                }
            } else if (part instanceof SegmentReader.Begin b) {
                current = b.header();
                if (target.isPast(current)) {
                    reachedTarget = true;
                    endGroup();
                    return false;
                }
                skip = current.hasIdentity() && (current.commitLsn().isBefore(consistentPoint)
                        || (lastApplied != null && !current.commitLsn().isAfter(lastApplied)));
                if (!skip) {
                    beginInGroup(current);
                }
            } else if (part instanceof SegmentReader.Body b) {
                if (!skip) {
                    body(b.sql(), reader);
                }
            } else if (part instanceof SegmentReader.Commit cm) {
                if (skip) {
                    skipped++;
                } else {
                    notes(cm.text());
                    commit(current);
                    onCommit.run();
                }
                current = null;
            }
        }
        endGroup();
        if (target.kind() == RestoreTarget.Kind.LATEST) {
            reachedTarget = true;
        }
        return true;
    }

    private void beginInGroup(TransactionHeader h) {
        if (!groupOpen) {
            switchTo(null);
            buf.append("BEGIN;\n");
            groupOpen = true;
            groupFirst = h;
        }
        groupLast = h;
        currentHasDdl = false;
    }

    /** NOT REPLAYED notes in the comments before a statement: counted, for the summary and the exit code. */
    private DdlBlock.Notes notes(String text) {
        DdlBlock.Notes n = DdlBlock.notes(SqlScanner.leadingComments(text));
        if (n.notReplayed() > 0) {
            ddlNotReplayed += n.notReplayed();
            for (String why : n.notReplayedWhy()) {
                if (notReplayedWhy.size() < 5) {
                    notReplayedWhy.add(why);
                }
            }
        }
        return n;
    }

    private void body(String sql, SegmentReader reader) {
        DdlBlock.Notes n = notes(sql);
        if (n.opensBlock() != null) {
            ddl(readBlock(sql, reader));
            return;
        }
        String code = SqlScanner.stripLeadingComments(sql);
        RenderedStatement.Recognised r = RenderedStatement.recognise(code);
        if (r == null) {
            throw notWritten("a statement pgscribe does not write", code);
        }
        if (!scope.covers(r)) {
            return;
        }
        if (rawShapes != null && r.parts() != null) {
            String raw = code;
            RenderedStatement.Recognised read = r;
            String repaired = orFail(() -> RawStatementRepair.repair(raw, read, rawShapes.of(read.tables().get(0))));
            if (repaired.isEmpty()) {
                return; // an UPDATE of computed columns only: the restored table computes them
            }
            if (!repaired.equals(code)) {
                code = repaired;
                r = RenderedStatement.recognise(code);
                if (r == null) {
                    throw notWritten("a decoder_raw statement pgscribe could not repair", code);
                }
            }
        }
        code = r.withOnly(code); // a segment written before ONLY: never a child's row of the same key
        if (r.parts() != null && r.parts().wholeRow() && r.kind() != RenderedStatement.Kind.INSERT) {
            // the source changed one row there: none found is a restore that went wrong (a rule that fires
            // cannot run in a WITH); and the text its row is found by reads as the segment's settings write it
            RestoreScope.Name table = r.tables().get(0);
            code = pins.outputSql() + (orFail(() -> owners.firesRules(table)) ? code : RowCheck.of(code));
        }
        RenderedStatement.Recognised statement = r;
        String role = orFail(() -> role(statement));
        if (runAs != null && !java.util.Objects.equals(role, runAs)) {
            // the pending batch of another role may create, drop or give away the tables this one
            // names: it runs first, and the owners are asked again after it
            coalescer().flush(output);
            executeBuffer();
            role = orFail(() -> role(statement));
        }
        boolean isolated = role == null && orFail(() -> roles.runsCode(statement) && owners.anyRoleFunction());
        switchTo(role);
        if (!scope.all() && r.kind() == RenderedStatement.Kind.TRUNCATE) {
            code = scope.truncateOf(r);
        }
        if (isolated) {
            // code it runs in the restore's session may call a role's function, unseen in a function's body:
            // it runs as its owner (made SECURITY DEFINER while such changes run, in their transaction), DDL of a
            // role meanwhile is refused (a function made SECURITY INVOKER again for a later call), and a role's
            // function may change tables: what comes before runs first, owners are asked again after it
            flush();
            batchRunsCode = true;
            if (openFlip == null) {
                openFlip = orFail(owners::roleFunctions);
                orFail(() -> {
                    sandbox.installGuard("during a change to a superuser's table", "A role's function that the restore "
                            + "ran for a superuser's table ran DDL (it could change code the change runs next with the "
                            + "superuser's rights); restore to a point before it, or give that table to a role that is no "
                            + "superuser on the source.");
                    return null;
                });
                buf.append(sandbox.guardOn()).append(";\n");
                if (!openFlip.isEmpty()) {
                    buf.append(FunctionsAsOwners.set(openFlip, true)).append(";\n");
                }
            }
            append(code.endsWith("\n") ? code : code + "\n");
            coalescer().flush(output);
            // a role's code may have changed settings (standard_conforming_strings, search_path) for what comes next
            buf.append(pins.sql()).append(";\n");
            executeBuffer();
            return;
        }
        closeFlip();
        append(code.endsWith("\n") ? code : code + "\n");
    }

    /**
     * Ends a run of changes to superusers' tables that run code: the roles' functions as they
     * were, the guard off. Before anything else runs (a role's batch, DDL, the COMMIT).
     */
    private void closeFlip() {
        if (openFlip == null) {
            return;
        }
        coalescer().flush(output);
        if (!openFlip.isEmpty()) {
            buf.append(FunctionsAsOwners.set(openFlip, false)).append(";\n");
        }
        buf.append(sandbox.guardOff()).append(";\n");
        openFlip = null;
    }

    /** Whom a row change runs as: null for the restore's own session (a superuser owns the table). */
    private String role(RenderedStatement.Recognised r) throws SQLException {
        String schema = roles.foreignOperatorSchema(r);
        if (schema != null) {
            throw notWritten("a comparison with an operator of schema " + schema + ", where no extension lives", "");
        }
        return roles.role(r, segment.file());
    }

    /** Reads the rest of a DDL block from the segment. */
    private DdlBlock.Block readBlock(String first, SegmentReader reader) {
        DdlBlock.Read read = DdlReplay.read(first, reader);
        if (read.problem() != null) {
            throw notWritten("a DDL block that does not read as one: " + read.problem(), "");
        }
        return read.block();
    }

    private void ddl(DdlBlock.Block block) {
        currentHasDdl = true;
        ddlReplay.refuseLegacy(block, segment.file());
        if (!scope.isAbout(block)) {
            ddlSkipped++;
            return;
        }
        switchTo(null);
        closeFlip();
        flush();
        try {
            if (ddlReplay.replay(block)) {
                statements++;
            } else {
                ddlSkipped++;
            }
        } catch (SQLException e) {
            rollbackQuietly();
            throw failure(e);
        } finally {
            owners.forget();
            if (rawShapes != null) {
                rawShapes.forget();
            }
            roles.forget();
        }
    }

    /** Statements from now on run as {@code role} (null: the restore's own session). */
    private void switchTo(String role) {
        if (java.util.Objects.equals(role, runAs)) {
            return;
        }
        closeFlip();
        coalescer().flush(output);
        executeBuffer();
        runAs = role;
    }

    private StatementCoalescer coalescer() {
        return runAs == null ? direct : sandboxed;
    }

    private void append(String sql) {
        coalescer().add(sql, output);
        statements++;
        groupStatements++;
        if (buf.length() >= FLUSH_CHARS) {
            flush();
        }
    }

    private void commit(TransactionHeader h) {
        applied++;
        lastHeader = h;
        groupTransactions++;
        if (currentHasDdl || groupTransactions >= Restorer.GROUP_TRANSACTIONS
                || groupStatements >= Restorer.GROUP_STATEMENTS) {
            endGroup();
        }
    }

    /** Commits the open group, with the progress record of its last transaction in it. */
    private void endGroup() {
        if (!groupOpen) {
            return;
        }
        switchTo(null);
        closeFlip();
        direct.flush(output);
        TransactionHeader h = groupLast;
        if (h.hasIdentity()) {
            // in the same transaction: applied and recorded together, or neither
            buf.append(ProgressRecord.update(h, segment.file())).append(";\n");
        }
        // a deferred trigger event still queued fires at COMMIT as the current role: one with no rights
        buf.append("SET LOCAL ROLE ").append(SqlText.identifier(nobody())).append(";\nCOMMIT;\n");
        flush();
        if (h.hasIdentity()) {
            lastApplied = h.commitLsn();
        }
        groupOpen = false;
        groupTransactions = 0;
        groupStatements = 0;
        groupFirst = null;
        groupLast = null;
    }

    private String nobody() {
        return orFail(sandbox::nobody);
    }

    private void flush() {
        coalescer().flush(output);
        executeBuffer();
    }

    private void executeBuffer() {
        if (buf.isEmpty()) {
            return;
        }
        String sql = buf.toString();
        buf.setLength(0);
        try {
            try {
                if (runAs == null) {
                    st.execute(sql);
                } else {
                    sandbox.run(runAs, "pg_catalog, pg_temp", sql);
                    st.execute(pins.sql());
                }
            } finally {
                if (runAs != null || batchRunsCode) {
                    owners.forgetSuperusers(); // a role's code ran: it may have made, dropped or given away tables
                }
                batchRunsCode = false;
            }
        } catch (SQLException e) {
            rollbackQuietly();
            throw failure(e);
        }
    }

    private void execute(String sql) {
        orFail(() -> st.execute(sql));
    }

    private interface SqlCall<T> {
        T call() throws SQLException;
    }

    /** The call's result; on an error the group is rolled back and the restore stops, naming the transactions. */
    private <T> T orFail(SqlCall<T> call) {
        try {
            return call.call();
        } catch (SQLException e) {
            rollbackQuietly();
            throw failure(e);
        }
    }

    private PgscribeException notWritten(String what, String code) {
        rollbackQuietly();
        return ApplyFailure.notWritten(segment.file(), what, code);
    }

    private PgscribeException failure(SQLException e) {
        return ApplyFailure.of(e, segment.file(), groupFirst, groupLast);
    }

    void rollbackQuietly() {
        groupOpen = false;
        openFlip = null; // rolled back with its transaction
        buf.setLength(0);
        direct.discard();
        sandboxed.discard();
        runAs = null;
        try {
            st.execute("ROLLBACK");
        } catch (SQLException ignored) {
            // no transaction open
        }
    }

    void close() throws SQLException {
        owners.close();
        st.close();
    }

    /** Source transactions applied so far. */
    long applied() {
        return applied;
    }

    /**
     * What the segments did to the target: {@code skipped}, transactions the base (or an earlier
     * run) held; {@code copied}, rows of them inserted by COPY; {@code ddlSkipped}, DDL a subset left
     * out; {@code notReplayedWhy}, the first reasons of DDL the capture could not replay.
     */
    record Result(long applied, long skipped, long statements, long copied, long ddlSkipped, long ddlNotReplayed,
                  List<String> notReplayedWhy, boolean reachedTarget, TransactionHeader lastHeader) {
    }

    Result result() {
        return new Result(applied, skipped, statements, copied, ddlSkipped, ddlNotReplayed, List.copyOf(notReplayedWhy),
                reachedTarget, lastHeader);
    }
}
