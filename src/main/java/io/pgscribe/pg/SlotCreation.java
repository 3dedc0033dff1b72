package io.pgscribe.pg;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * A slot just created on a replication connection, with the snapshot it exported: that
 * snapshot sees exactly what was committed before {@code consistentPoint}; every later
 * commit is in the slot's stream. The snapshot lives only while {@code connection} stays
 * open and idle, so close this once the base has been taken.
 */
public record SlotCreation(String slotName, Lsn consistentPoint, String snapshotName, Connection connection)
        implements AutoCloseable {

    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            // the snapshot is released either way
        }
    }
}
