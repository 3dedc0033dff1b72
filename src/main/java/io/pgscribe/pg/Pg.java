package io.pgscribe.pg;

import io.pgscribe.ErrorText;
import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/** JDBC connections to a server, with the session settings pgscribe's text depends on. */
public final class Pg {

    private Pg() {
    }

    /** A row mapper that may throw. */
    @FunctionalInterface
    public interface Row<T> {
        T map(ResultSet rs) throws SQLException;
    }

    /** What a user changes to reach a server: named in the hint when a connection fails. */
    public record Knobs(String hostPort, String credentials, String database) {
        public static final Knobs SOURCE = new Knobs("pgscribe.source.host / pgscribe.source.port",
                "pgscribe.source.user and its password (PGSCRIBE_SOURCE_PASSWORD or pgscribe.source.passfile)",
                "pgscribe.source.database");
        public static final Knobs RESTORE_TARGET = new Knobs("--target-host / --target-port",
                "--target-user and its password (PGSCRIBE_TARGET_PASSWORD)", "--to-db");
    }

    public static Connection connect(ConnectionSpec spec, String applicationName) {
        return connect(spec, spec.jdbcProperties(applicationName));
    }

    /** Like {@link #connect(ConnectionSpec, String)}, naming {@code knobs} when it fails. */
    public static Connection connect(ConnectionSpec spec, String applicationName, Knobs knobs) {
        return connect(spec, spec.jdbcProperties(applicationName), knobs);
    }

    public static Connection connect(ConnectionSpec spec, Properties props) {
        return connect(spec, props, Knobs.SOURCE);
    }

    private static Connection connect(ConnectionSpec spec, Properties props, Knobs knobs) {
        try {
            Connection c = DriverManager.getConnection(spec.jdbcUrl(), props);
            if (!"database".equals(props.getProperty("replication"))) {
                try (Statement st = c.createStatement()) {
                    st.execute("SET DateStyle = 'ISO, MDY'; SET TimeZone = 'UTC'; SET IntervalStyle = 'postgres'; "
                            + "SET extra_float_digits = 3; SET bytea_output = 'hex'; SET lc_monetary = 'C'");
                }
            }
            return c;
        } catch (SQLException e) {
            throw unreachable(spec, e, knobs);
        }
    }

    public static PgscribeException unreachable(ConnectionSpec spec, SQLException e) {
        return unreachable(spec, e, Knobs.SOURCE);
    }

    public static PgscribeException unreachable(ConnectionSpec spec, SQLException e, Knobs knobs) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String hint;
        if (state.startsWith("08")) {
            hint = "Check that the server runs and accepts connections at " + spec.host() + ":" + spec.port()
                    + " (" + knobs.hostPort() + ").";
        } else if (state.equals("28P01") || state.equals("28000")) {
            hint = "Check " + knobs.credentials() + ", and pg_hba.conf.";
        } else if (state.equals("3D000")) {
            hint = "Check " + knobs.database() + ".";
        } else {
            hint = "Check the connection settings in application.properties.";
        }
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof PgscribeException own) { // a client certificate pgscribe could not read: what to fix is there
                return new PgscribeException("cannot connect to " + spec.describe() + ": " + own.getMessage(), own.hint(),
                        own.exitCode(), e);
            }
        }
        return new PgscribeException("cannot connect to " + spec.describe() + ": " + ErrorText.withCause(e), hint,
                ExitCode.FAILED, e);
    }

    public static <T> List<T> query(Connection c, String sql, Row<T> row, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                List<T> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(row.map(rs));
                }
                return out;
            }
        }
    }

    public static <T> T one(Connection c, String sql, Row<T> row, Object... params) throws SQLException {
        List<T> rows = query(c, sql, row, params);
        if (rows.size() != 1) {
            throw new SQLException("expected one row from: " + sql + " but got " + rows.size());
        }
        return rows.get(0);
    }

    public static String string(Connection c, String sql, Object... params) throws SQLException {
        return one(c, sql, rs -> rs.getString(1), params);
    }

    /** A string literal for SQL we build ourselves. */
    public static String literal(String s) {
        return io.pgscribe.sql.SqlText.literal(s);
    }

    public static void execute(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
