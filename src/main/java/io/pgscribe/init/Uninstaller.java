package io.pgscribe.init;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.pg.ConnectionSpec;
import io.pgscribe.pg.Pg;
import io.pgscribe.pg.Publication;
import io.pgscribe.pg.SlotManager;
import io.pgscribe.sql.SqlText;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * {@code pgscribe uninstall}: removes the pipeline from the source server (its slot, so it
 * stops holding WAL, and the DDL capture objects). The backup directory is left alone.
 */
public final class Uninstaller {

    private Uninstaller() {
    }

    public static void run(ConnectionSpec spec, String slotName, boolean dryRun, PrintStream out) throws SQLException {
        try (Connection c = Pg.connect(spec, "pgscribe-uninstall")) {
            Optional<SlotManager.SlotState> slot = SlotManager.find(c, slotName);
            String here = Pg.string(c, "SELECT pg_catalog.current_database()::text");
            if (slot.isPresent() && slot.get().database() != null && !slot.get().database().equals(here)) {
                // slot names are per server: this one is another database's pipeline
                throw new PgscribeException("slot " + slotName + " belongs to database " + slot.get().database() + ", not "
                        + here + ": it is that database's backup set", "Set pgscribe.source.database=" + slot.get().database()
                        + " to uninstall that one; nothing was dropped.", ExitCode.REFUSED, null);
            }
            if (slot.isPresent() && slot.get().active()) {
                throw new PgscribeException("slot " + slotName + " is in use (pid " + slot.get().activePid() + ")",
                        "Stop the pgscribe runtime first.", ExitCode.REFUSED, null);
            }
            // a runtime's own sessions: its pg_recvlogical (between restarts it has none) and its capture session
            String sessions = "SELECT pid::text FROM pg_catalog.pg_stat_activity WHERE datname = "
                    + "pg_catalog.current_database() AND application_name IN (?, ?)";
            List<String> runtime = Pg.query(c, sessions, rs -> rs.getString(1), "pgscribe-" + slotName,
                    "pgscribe-capture-" + slotName);
            // a runtime that just stopped: its server processes end a moment after it closed their connections
            for (int i = 0; i < 50 && !runtime.isEmpty(); i++) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                runtime = Pg.query(c, sessions, rs -> rs.getString(1), "pgscribe-" + slotName, "pgscribe-capture-" + slotName);
            }
            if (!runtime.isEmpty()) {
                throw new PgscribeException("a pgscribe runtime of slot " + slotName + " is connected (server pid "
                        + String.join(", ", runtime) + ")", "Stop the pgscribe runtime first.", ExitCode.REFUSED, null);
            }
            boolean objects = CaptureObjects.installed(c);
            // the capture objects serve every backup set of this database: another set's slot keeps them
            java.util.List<String> others = Pg.query(c, "SELECT slot_name::text FROM pg_catalog.pg_replication_slots "
                    + "WHERE slot_type = 'logical' AND database = pg_catalog.current_database() AND slot_name <> ? ORDER BY 1",
                    rs -> rs.getString(1), slotName);
            java.util.List<String> users = objects && others.isEmpty() ? CaptureObjects.outsideDependents(c) : java.util.List.of();
            if (!users.isEmpty()) {
                throw new PgscribeException("objects of " + spec.database() + " use schema pgscribe's objects, and would be "
                        + "dropped with it: " + String.join("; ", users), "Change them so that they no longer use it (e.g. "
                        + "ALTER TABLE ... ALTER COLUMN ... TYPE text), then run uninstall again; nothing was dropped.",
                        ExitCode.REFUSED, null);
            }
            String prefix = dryRun ? "Would drop " : "Dropped ";
            if (slot.isPresent()) {
                if (!dryRun) {
                    SlotManager.drop(c, slotName);
                }
                out.println(prefix + "replication slot " + slotName);
            } else {
                out.println("No replication slot " + slotName + " on " + spec.describe());
            }
            if (Publication.isOurs(c, slotName)) {
                if (!dryRun) {
                    Publication.dropIfOurs(c, slotName);
                }
                out.println(prefix + "publication " + slotName);
            }
            if (objects && !others.isEmpty()) {
                out.println("Kept schema pgscribe and its event triggers: the logical slot(s) " + String.join(", ", others)
                        + " of " + spec.database() + " may be other pgscribe backup sets, whose DDL capture needs them "
                        + "(uninstall those too, and the last one drops them)");
            } else if (objects) {
                List<CaptureObjects.IdentityFull> full = CaptureObjects.identityFull(c, slotName);
                if (!dryRun) {
                    CaptureObjects.uninstall(c);
                }
                out.println(prefix + "schema pgscribe and its event triggers (the DDL log with it)");
                identityBack(c, full, dryRun, out);
            }
        }
    }

    /**
     * REPLICA IDENTITY FULL, which init or the capture gave tables without a key, back to DEFAULT
     * (it makes every UPDATE and DELETE write the whole old row to the WAL), unless another
     * publication replicates those changes: without an identity the server would refuse them.
     */
    private static void identityBack(Connection c, List<CaptureObjects.IdentityFull> full, boolean dryRun, PrintStream out)
            throws SQLException {
        List<String> back = new java.util.ArrayList<>();
        for (CaptureObjects.IdentityFull t : full) {
            String name = SqlText.qualified(t.schema(), t.table());
            if (t.publishedBy() != null) {
                out.println("Kept REPLICA IDENTITY FULL on " + name + ": publication " + SqlText.identifier(t.publishedBy())
                        + " replicates its UPDATE and DELETE, which need it");
                continue;
            }
            if (!dryRun) {
                Pg.execute(c, "ALTER TABLE " + name + " REPLICA IDENTITY DEFAULT");
            }
            back.add(name);
        }
        if (!back.isEmpty()) {
            out.println((dryRun ? "Would set" : "Set") + " REPLICA IDENTITY back to DEFAULT on " + back.size()
                    + " table(s) that pgscribe had made FULL: " + String.join(", ", back));
        }
    }
}
