package io.pgscribe.render;

import io.pgscribe.manifest.TableShape;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Generated and always-identity columns per table, as of the current point in the
 * stream: seeded from the catalog at the slot's snapshot, then changed by each DDL row
 * at its place in the stream, so a change is rendered with the shape its table had then.
 */
public final class TableShapes {

    private final Map<String, TableShape> byTable = new HashMap<>();

    public TableShapes(List<TableShape> initial) {
        initial.forEach(this::put);
    }

    public TableShape get(String schema, String table) {
        return byTable.get(key(schema, table));
    }

    public boolean isMatview(String schema, String table) {
        TableShape s = get(schema, table);
        return s != null && s.isMatview();
    }

    public boolean isPartitioned(String schema, String table) {
        TableShape s = get(schema, table);
        return s != null && s.isPartitioned();
    }

    public void put(TableShape shape) {
        if (shape.isPlain()) {
            byTable.remove(key(shape.schema(), shape.table()));
        } else {
            byTable.put(key(shape.schema(), shape.table()), shape);
        }
    }

    public List<TableShape> snapshot() {
        List<TableShape> list = new ArrayList<>(byTable.values());
        list.sort((a, b) -> key(a.schema(), a.table()).compareTo(key(b.schema(), b.table())));
        return list;
    }

    private static String key(String schema, String table) {
        return schema + '\u0000' + table;
    }
}
