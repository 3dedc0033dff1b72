package io.pgscribe.init;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.server.ConnectionSpec;
import io.pgscribe.server.Pg;
import io.pgscribe.slot.SlotManager;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.SQLException;
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
            if (slot.isPresent() && slot.get().active()) {
                throw new PgscribeException("slot " + slotName + " is in use (pid " + slot.get().activePid() + ")",
                        "Stop the pgscribe runtime first.", ExitCode.REFUSED, null);
            }
            boolean objects = CaptureObjects.installed(c);
            String prefix = dryRun ? "Would drop " : "Dropped ";
            if (slot.isPresent()) {
                if (!dryRun) {
                    SlotManager.drop(c, slotName);
                }
                out.println(prefix + "replication slot " + slotName);
            } else {
                out.println("No replication slot " + slotName + " on " + spec.describe());
            }
            if (objects) {
                if (!dryRun) {
                    CaptureObjects.uninstall(c);
                }
                out.println(prefix + "schema pgscribe and its event triggers (the DDL log with it)");
            }
        }
    }
}
