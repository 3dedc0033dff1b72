package io.pgscribe.restore;

import io.pgscribe.sql.SqlText;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The generated and ALWAYS identity columns of the restored tables, as they are at this point of
 * the replay (the DDL before it has run): what {@link RawStatementRepair} leaves out or marks.
 * Asked once per table, and again after DDL.
 */
final class ComputedColumns {

    private final Connection c;
    private final Map<RestoreScope.Name, RawStatementRepair.TableShape> cache = new HashMap<>();
    private PreparedStatement query;

    ComputedColumns(Connection c) {
        this.c = c;
    }

    RawStatementRepair.TableShape of(RestoreScope.Name table) throws SQLException {
        RawStatementRepair.TableShape shape = cache.get(table);
        if (shape == null) {
            if (query == null) {
                query = c.prepareStatement("SELECT a.attname, a.attgenerated <> '', a.attidentity = 'a' "
                        + "FROM pg_catalog.pg_attribute a WHERE a.attrelid = pg_catalog.to_regclass(?) AND a.attnum > 0 "
                        + "AND NOT a.attisdropped AND (a.attgenerated <> '' OR a.attidentity = 'a')");
            }
            query.setString(1, SqlText.qualified(table.schema(), table.name()));
            Set<String> generated = new HashSet<>();
            Set<String> identity = new HashSet<>();
            try (ResultSet rs = query.executeQuery()) {
                while (rs.next()) {
                    (rs.getBoolean(2) ? generated : identity).add(rs.getString(1));
                }
            }
            shape = generated.isEmpty() && identity.isEmpty() ? RawStatementRepair.TableShape.PLAIN
                    : new RawStatementRepair.TableShape(Set.copyOf(generated), Set.copyOf(identity));
            cache.put(table, shape);
        }
        return shape;
    }

    /** After DDL: a table may have gained or lost such columns. */
    void forget() {
        cache.clear();
    }
}
