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

    /** Whether it is there and the one pgscribe made for that slot (its comment says so). */
    public static boolean isOurs(Connection c, String name) throws SQLException {
        return Pg.one(c, "SELECT count(*) FROM pg_catalog.pg_publication WHERE pubname = ? "
                + "AND pg_catalog.obj_description(oid, 'pg_publication') = ?", rs -> rs.getInt(1), name, MARK + name) > 0;
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

    /**
     * Before every start of pg_recvlogical: the publication is there as init made it. pgoutput
     * sends only what it publishes, so one narrowed by hand ({@code publish = 'insert'}, one
     * table) would drop changes from the backup without an error.
     */
    public static void requireAsMade(Connection c, String name) throws SQLException {
        java.util.List<String> state = Pg.query(c, "SELECT puballtables::text || ',' || pubinsert::text || ',' || pubupdate::text "
                + "|| ',' || pubdelete::text || ',' || pubtruncate::text || ',' || pubviaroot::text FROM pg_catalog.pg_publication "
                + "WHERE pubname = ?", rs -> rs.getString(1), name);
        if (state.isEmpty()) {
            throw new PgscribeException("the publication " + name + " of this pgoutput backup set is gone from the source",
                    "pgoutput cannot decode this slot's changes without it, and a new one does not cover the changes made "
                    + "meanwhile: start a new backup set (pgscribe init with another slot name and backup directory), and keep "
                    + "this one for what it holds.", ExitCode.REFUSED, null);
        }
        if (state.get(0).equals("true,true,true,true,true,false") && !isOurs(c, name)) {
            throw new PgscribeException("the publication " + name + " of this pgoutput backup set no longer has pgscribe's "
                    + "comment: it was dropped and made again, or its comment changed by hand",
                    "A publication made again does not cover the changes made meanwhile (pgoutput may not decode past the "
                    + "drop at all): start a new backup set (pgscribe init with another slot name and backup directory), and "
                    + "keep this one for what it holds. A comment changed by hand: COMMENT ON PUBLICATION "
                    + SqlText.identifier(name) + " IS " + SqlText.literal(MARK + name) + ";", ExitCode.REFUSED, null);
        }
        if (!state.get(0).equals("true,true,true,true,true,false")) {
            throw new PgscribeException("the publication " + name + " of this pgoutput backup set was changed (all tables, "
                    + "insert, update, delete, truncate, via root: " + state.get(0) + "); pgoutput would leave out what it no "
                    + "longer publishes", "Set it back: ALTER PUBLICATION " + SqlText.identifier(name) + " SET (publish = "
                    + "'insert, update, delete, truncate', publish_via_partition_root = false); (a publication FOR ALL TABLES "
                    + "cannot lose a table). Changes made while it was narrowed are not in the backup: take a new base.",
                    ExitCode.REFUSED, null);
        }
    }

    /**
     * The publication's catalog row as found now: its oid, its xmin (the transaction that last
     * created or altered it) and whether it is as init made it (all tables, every action, not via
     * the partition root, pgscribe's comment); empty when there is none of that name.
     */
    public record Found(long oid, String xmin, boolean asMade) {
    }

    public static java.util.Optional<Found> find(Connection c, String name) throws SQLException {
        return Pg.query(c, "SELECT oid, xmin::text, (puballtables AND pubinsert AND pubupdate AND pubdelete AND pubtruncate "
                + "AND NOT pubviaroot AND pg_catalog.obj_description(oid, 'pg_publication') IS NOT DISTINCT FROM ?) "
                + "FROM pg_catalog.pg_publication WHERE pubname = ?",
                rs -> new Found(rs.getLong(1), rs.getString(2), rs.getBoolean(3)), MARK + name, name).stream().findFirst();
    }

    /** Drops it if it is pgscribe's; true when dropped. */
    public static boolean dropIfOurs(Connection c, String name) throws SQLException {
        if (!isOurs(c, name)) {
            return false;
        }
        unlogged(c, "DROP PUBLICATION " + SqlText.identifier(name));
        return true;
    }
}
