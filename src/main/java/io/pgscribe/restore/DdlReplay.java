package io.pgscribe.restore;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.ddl.DdlBlock;
import io.pgscribe.segment.SegmentReader;
import io.pgscribe.sql.IdentifierList;
import java.io.PrintStream;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * One DDL block of a segment, replayed as the role its trace names, under its own search_path,
 * in the {@link RoleSandbox}; the session's settings are put back after it. A subset restore
 * leaves out DDL that needs objects it did not restore.
 */
final class DdlReplay {

    private final Statement st;
    private final RoleSandbox sandbox;
    private final SessionPins pins;
    private final RestoreScope scope;
    private final PrintStream out;
    private final boolean allowLegacyDdl;

    DdlReplay(Statement st, RoleSandbox sandbox, SessionPins pins, RestoreScope scope, PrintStream out,
              boolean allowLegacyDdl) {
        this.st = st;
        this.sandbox = sandbox;
        this.pins = pins;
        this.scope = scope;
        this.out = out;
        this.allowLegacyDdl = allowLegacyDdl;
    }

    /** The DDL block that starts with {@code first}, its rest read from the segment. */
    static DdlBlock.Read read(String first, SegmentReader reader) {
        return DdlBlock.read(first, () -> {
            SegmentReader.Part p = reader.next();
            return p instanceof SegmentReader.Body b ? b.sql() : null;
        });
    }

    /** Refuses the block of a pgscribe before 0.2, whose role a role could forge, unless the operator allows it. */
    void refuseLegacy(DdlBlock.Block block, String segmentFile) {
        if (block.legacy() && !allowLegacyDdl) {
            throw new PgscribeException("segment " + segmentFile + " was written by a pgscribe older than 0.2, which "
                    + "recorded the role DDL ran as in a way that role could forge (DDL " + block.trace().tag() + ", "
                    + "pgscribe.ddl_log id " + block.trace().ddlLog() + ")",
                    "Restore from a base taken after the upgrade, or pass --allow-legacy-ddl to replay such DDL as the "
                            + "role its trace names, if you trust every role of the source not to have forged one.",
                    ExitCode.REFUSED, null);
        }
    }

    /** Runs the block; false when a subset restore left it out (it failed for want of objects outside the subset). */
    boolean replay(DdlBlock.Block block) throws SQLException {
        // pg_temp last: a temporary table a role's code made in this session must not stand for the DDL's table
        List<String> searchPath = new ArrayList<>(block.searchPath());
        if (!searchPath.contains("pg_temp")) {
            searchPath.add("pg_temp");
        }
        String path = IdentifierList.quoted(searchPath);
        if (scope.all()) {
            sandbox.run(block.role(), path, block.statement());
            st.execute(pins.sql());
            return true;
        }
        st.execute("SAVEPOINT pgscribe_ddl");
        try {
            sandbox.run(block.role(), path, block.statement());
            st.execute(pins.sql());
            st.execute("RELEASE SAVEPOINT pgscribe_ddl");
            return true;
        } catch (SQLException e) {
            st.execute("ROLLBACK TO SAVEPOINT pgscribe_ddl");
            st.execute(pins.sql());
            out.println("Left out DDL that needs objects outside the restored tables: "
                    + block.statement().lines().findFirst().orElse("") + " (" + e.getMessage().lines().findFirst().orElse("")
                    + ")");
            return false;
        }
    }
}
