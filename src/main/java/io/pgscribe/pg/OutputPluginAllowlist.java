package io.pgscribe.pg;

import io.pgscribe.sql.IdentifierList;
import io.pgscribe.sql.SqlText;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The server's {@code output_plugin_libraries} (14.24, 15.19, 16.15, 17.11, 18.6 and later,
 * CVE-2026-6471): the only libraries it loads as logical decoding output plugins, checked at
 * slot creation and every time decoding starts, for every role. pgscribe reads it and says
 * what to run; it never changes this security setting on a user's server itself.
 *
 * <p>The value is a list of names as the server splits it: commas, whitespace trimmed,
 * unquoted names folded to lower case, double-quoted names kept as written. Setting it
 * replaces the default, so the fix always lists what is there plus the plugin.
 */
public record OutputPluginAllowlist(List<String> libraries) {

    public static final String PARAMETER = "output_plugin_libraries";

    /** The default of the servers that have the parameter. */
    public static final OutputPluginAllowlist SERVER_DEFAULT = new OutputPluginAllowlist(List.of("pgoutput", "test_decoding"));

    private static final Pattern PLAIN_NAME = Pattern.compile("[a-z_][a-z0-9_$]*");

    public OutputPluginAllowlist {
        libraries = List.copyOf(libraries);
    }

    /** The setting's text as {@code SHOW} or {@code pg_settings} give it (a list the server refused is read as empty). */
    public static OutputPluginAllowlist parse(String text) {
        return new OutputPluginAllowlist(IdentifierList.parse(text).orElse(List.of()));
    }

    public boolean allows(String plugin) {
        return libraries.contains(plugin);
    }

    /** This list with {@code plugin} appended (unchanged when it is there already). */
    public OutputPluginAllowlist with(String plugin) {
        if (allows(plugin)) {
            return this;
        }
        List<String> l = new ArrayList<>(libraries);
        l.add(plugin);
        return new OutputPluginAllowlist(l);
    }

    /**
     * The statement an administrator runs to set this list: the list form, each name an
     * identifier. The quoted form ({@code = 'a, b'}) would store a single name "a, b".
     */
    public String alterSystemStatement() {
        List<String> names = libraries.stream().map(OutputPluginAllowlist::listElement).toList();
        return "ALTER SYSTEM SET " + PARAMETER + " = " + (names.isEmpty() ? "''" : String.join(", ", names)) + ";";
    }

    /** The line for postgresql.conf, where the value is one string holding the list. */
    public String configurationLine() {
        String list = String.join(", ", libraries.stream().map(OutputPluginAllowlist::listElement).toList());
        return PARAMETER + " = " + SqlText.literal(list);
    }

    /** What an administrator does so that the server allows {@code plugin}: the statement, then the reload. */
    public String fixFor(String plugin) {
        return with(plugin).alterSystemStatement() + " SELECT pg_reload_conf();";
    }

    @Override
    public String toString() {
        return String.join(", ", libraries.stream().map(OutputPluginAllowlist::listElement).toList());
    }

    private static String listElement(String name) {
        return PLAIN_NAME.matcher(name).matches() ? name : SqlText.identifier(name);
    }

    /**
     * The list as this session sees it; empty where the server has no such parameter, or the
     * role may not read it (it needs superuser or pg_read_all_settings; {@code pg_settings}
     * then has no row for it).
     */
    public static Optional<OutputPluginAllowlist> read(Connection c) throws SQLException {
        List<String> rows = Pg.query(c, "SELECT setting FROM pg_catalog.pg_settings WHERE name = ?", rs -> rs.getString(1),
                PARAMETER);
        return rows.isEmpty() || rows.get(0) == null ? Optional.empty() : Optional.of(parse(rows.get(0)));
    }

    /**
     * Whether a refusal from the server (pg_recvlogical's standard error, an SQLException's
     * message) is this list refusing the plugin (SQLSTATE 42501, the message as of 2026-08-13).
     */
    public static boolean isRefusal(String serverMessage) {
        return serverMessage != null && serverMessage.contains("may not be used as an output plugin");
    }

    private static final Map<Path, Boolean> KNOWN_BY_BINARIES = new ConcurrentHashMap<>();

    /**
     * Whether the server binaries in {@code bin} know the parameter, from {@code postgres
     * --describe-config} (it runs as any OS user, root too, and needs no cluster). A server
     * that does not know it refuses to start with it in its configuration.
     */
    public static boolean knownBy(Path bin) {
        return KNOWN_BY_BINARIES.computeIfAbsent(bin.toAbsolutePath().normalize(), b -> {
            PgTools.Result r = PgTools.run(List.of(b.resolve("postgres").toString(), "--describe-config"), Map.of("LC_ALL", "C"),
                    Duration.ofSeconds(60));
            if (!r.ok()) {
                throw new IllegalStateException(b.resolve("postgres") + " --describe-config failed (exit " + r.exitCode() + "): "
                        + r.stderr().strip());
            }
            return r.stdout().lines().anyMatch(l -> l.startsWith(PARAMETER + "\t"));
        });
    }
}
