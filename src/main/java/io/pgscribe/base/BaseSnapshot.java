package io.pgscribe.base;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgscribe.manifest.TableShape;
import io.pgscribe.pg.ConnectionSpec;
import io.pgscribe.pg.Pg;
import io.pgscribe.verify.TableChecksum;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/**
 * What is read beside {@code pg_dump} through the same exported snapshot, so that it
 * describes exactly the database the base holds: metadata, table shapes, and (optionally)
 * each table's row count and checksum.
 */
public record BaseSnapshot(ObjectNode metadata, List<TableShape> shapes, Map<String, TableChecksum> checksums,
                           List<String> replicaIdentityGaps, List<String> specialNumberColumns) {

    /** Opens a second session, adopts {@code snapshotName} and reads; the exporting session must stay open meanwhile. */
    public static BaseSnapshot read(ConnectionSpec spec, String snapshotName, boolean withChecksums,
                                    boolean withSpecialNumbers) throws SQLException {
        try (Connection snap = Pg.connect(spec, "pgscribe-base-snapshot")) {
            snap.setAutoCommit(false);
            Pg.execute(snap, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
            Pg.execute(snap, "SET TRANSACTION SNAPSHOT '" + snapshotName.replace("'", "''") + "'");
            List<TableShape> shapes = Metadata.tableShapes(snap);
            ObjectNode metadata = Metadata.collect(snap);
            Map<String, TableChecksum> sums = withChecksums ? TableChecksum.of(snap) : null;
            List<String> gaps = io.pgscribe.pg.ReplicaIdentityAudit.find(snap).stream()
                    .map(io.pgscribe.pg.ReplicaIdentityAudit.Gap::qualified).toList();
            List<String> specials = withSpecialNumbers ? io.pgscribe.pg.ReplicaIdentityAudit.specialNumberColumns(snap)
                    : List.of();
            snap.rollback();
            return new BaseSnapshot(metadata, shapes, sums, gaps, specials);
        }
    }

    /** The same, for a decoder that keeps NaN and Infinity (they are then no gap). */
    public BaseSnapshot withoutSpecialNumbers() {
        return new BaseSnapshot(metadata, shapes, checksums, replicaIdentityGaps, List.of());
    }
}
