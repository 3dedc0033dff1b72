package io.pgscribe.pg;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.sql.SqlText;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * The publication a pgoutput backup set reads: {@code FOR ALL TABLES}, so that a table created
 * later joins it by itself, named as the set's slot and marked by its comment as pgscribe's,
 * so that uninstall never drops a publication somebody else made. Changes of a partition are
 * published as the partition's own ({@code publish_via_partition_root} off), as wal2json
 * sends them: a restore replays them into the same partition, whatever the partition bounds.
 */
public final class Publication {

    static final String MARK = "pgscribe backup set of slot ";

    private Publication() {
    }

    public static boolean exists(Connection c, String name) throws SQLException {
        return Pg.one(c, "SELECT count(*) FROM pg_catalog.pg_publication WHERE pubname = ?", rs -> rs.getInt(1), name) > 0;
    }

    /** Whether it is the one pgscribe made for that slot (its comment says so). */
    public static boolean isOurs(Connection c, String name) throws SQLException {
        String comment = Pg.one(c, "SELECT pg_catalog.obj_description(oid, 'pg_publication') FROM pg_catalog.pg_publication "
                + "WHERE pubname = ?", rs -> rs.getString(1), name);
        return (MARK + name).equals(comment);
    }

    /** Creates it; before the slot, because pgoutput looks the publication up as the catalog was at each change. */
    public static void create(Connection c, String name) throws SQLException {
        if (exists(c, name)) {
            throw new PgscribeException("a publication named \"" + name + "\" already exists", isOurs(c, name)
                    ? "It is left from an earlier pgscribe init of slot " + name + " that did not finish: DROP PUBLICATION "
                    + SqlText.identifier(name) + ", then run init again."
                    : "pgscribe names the publication of a pgoutput backup set as its slot: choose another pgscribe.slot.name.",
                    ExitCode.REFUSED, null);
        }
        try {
            unlogged(c, "CREATE PUBLICATION " + SqlText.identifier(name) + " FOR ALL TABLES; COMMENT ON PUBLICATION "
                    + SqlText.identifier(name) + " IS " + SqlText.literal(MARK + name));
        } catch (SQLException e) {
            if ("42501".equals(e.getSQLState())) {
                throw new PgscribeException("cannot create publication " + name + ": " + e.getMessage(),
                        "A publication FOR ALL TABLES needs a superuser; run init as one (it also installs event triggers).",
                        ExitCode.REFUSED, e);
            }
            throw e;
        }
    }

    /**
     * pgscribe's own DDL, in one transaction in replica mode, where no event trigger fires: the
     * DDL capture does not log it as the database's (a restore never replays it).
     */
    private static void unlogged(Connection c, String sql) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            Pg.execute(c, "SET LOCAL session_replication_role = replica; " + sql);
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }

    /** Drops it if it is pgscribe's; true when dropped. */
    public static boolean dropIfOurs(Connection c, String name) throws SQLException {
        if (!exists(c, name) || !isOurs(c, name)) {
            return false;
        }
        unlogged(c, "DROP PUBLICATION " + SqlText.identifier(name));
        return true;
    }
}
