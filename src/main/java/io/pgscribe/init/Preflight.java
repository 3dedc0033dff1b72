package io.pgscribe.init;

import io.pgscribe.decode.DecoderPlugin;
import io.pgscribe.pg.OutputPluginAllowlist;
import io.pgscribe.pg.Pg;
import io.pgscribe.pg.PgEncodings;
import io.pgscribe.pg.PgTools;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Checks a server before pgscribe touches it. Each failed check says what is wrong and
 * what to do; init refuses while any remains.
 */
public final class Preflight {

    public static final int MIN_VERSION_NUM = 130000;

    /** One failed check. */
    public record Problem(String message, String hint) {
    }

    /** What the server told us along the way. */
    public record ServerFacts(int versionNum, String version, String encoding, boolean superuser) {
    }

    private final List<Problem> problems = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private ServerFacts facts;
    private boolean pluginListed;

    public List<Problem> problems() {
        return problems;
    }

    public List<String> notes() {
        return notes;
    }

    public ServerFacts facts() {
        return facts;
    }

    /** Whether the server's output_plugin_libraries was read and lists the plugin. */
    public boolean pluginListed() {
        return pluginListed;
    }

    public boolean passed() {
        return problems.isEmpty();
    }

    /** Runs every check; {@code forInit}: also the rights init needs (event triggers need a superuser). */
    public Preflight check(Connection c, PgTools tools, DecoderPlugin plugin, String slotName, boolean forInit)
            throws SQLException {
        int versionNum = Integer.parseInt(Pg.string(c, "SHOW server_version_num"));
        String version = Pg.string(c, "SELECT version()");
        String encoding = Pg.string(c, "SELECT pg_encoding_to_char(encoding) FROM pg_database WHERE datname = current_database()");
        boolean superuser = "on".equals(Pg.string(c, "SHOW is_superuser"));
        boolean replication = Boolean.parseBoolean(Pg.string(c,
                "SELECT rolreplication::text FROM pg_roles WHERE rolname = current_user"));
        facts = new ServerFacts(versionNum, version, encoding, superuser);

        if (versionNum < MIN_VERSION_NUM) {
            problems.add(new Problem("the server runs PostgreSQL " + versionNum / 10000 + "; pgscribe needs 13 or later",
                    "Upgrade the server, or back it up with pg_dump alone."));
        }
        String walLevel = Pg.string(c, "SHOW wal_level");
        if (!"logical".equals(walLevel)) {
            problems.add(new Problem("wal_level is " + walLevel + ", logical decoding needs logical",
                    "Run ALTER SYSTEM SET wal_level = logical; then restart the server."));
        }
        int maxSlots = Integer.parseInt(Pg.string(c, "SHOW max_replication_slots"));
        int usedSlots = Integer.parseInt(Pg.string(c, "SELECT count(*) FROM pg_replication_slots"));
        boolean slotExists = Boolean.parseBoolean(Pg.string(c,
                "SELECT (count(*) > 0)::text FROM pg_replication_slots WHERE slot_name = ?", slotName));
        if (!slotExists && usedSlots >= maxSlots) {
            problems.add(new Problem("all " + maxSlots + " replication slots (max_replication_slots) are in use",
                    "Raise max_replication_slots (restart needed) or drop an unused slot with pg_drop_replication_slot()."));
        }
        int maxSenders = Integer.parseInt(Pg.string(c, "SHOW max_wal_senders"));
        int senders = Integer.parseInt(Pg.string(c, "SELECT count(*) FROM pg_stat_replication"));
        if (senders + 1 > maxSenders) {
            problems.add(new Problem("all " + maxSenders + " WAL senders (max_wal_senders) are in use",
                    "Raise max_wal_senders (restart needed)."));
        }
        if (forInit && !superuser) {
            problems.add(new Problem("role " + Pg.string(c, "SELECT current_user") + " is not a superuser",
                    "init creates event triggers, which needs a superuser; run init as one (capture then needs only REPLICATION)."));
        } else if (!superuser && !replication) {
            problems.add(new Problem("role " + Pg.string(c, "SELECT current_user") + " has neither REPLICATION nor superuser",
                    "Run ALTER ROLE ... REPLICATION for the role pgscribe connects as."));
        }
        checkPlugin(c, plugin, superuser);
        try {
            PgEncodings.charsetOf(encoding);
        } catch (RuntimeException e) {
            problems.add(new Problem("the database encoding " + encoding + " is not supported",
                    "Back this database up with pg_dump, or convert it to UTF8."));
        }
        checkTools(tools, versionNum / 10000);
        return this;
    }

    private void checkPlugin(Connection c, DecoderPlugin plugin, boolean superuser) throws SQLException {
        if (!superuser) {
            notes.add("cannot look for the " + plugin.pluginName() + " plugin without superuser; creating the slot will tell");
            return;
        }
        if (!pluginInstalled(c, plugin)) {
            int major = facts.versionNum() / 10000;
            String hint = plugin == DecoderPlugin.WAL2JSON
                    ? "Install it on the server: apt-get install postgresql-" + major + "-wal2json (or your platform's wal2json package)."
                    : "Build and install decoder_raw (https://github.com/michaelpq/pg_plugins) on the server, or use wal2json.";
            problems.add(new Problem("the server has no " + plugin.pluginName() + " output plugin", hint));
        }
        Optional<OutputPluginAllowlist> allowlist = OutputPluginAllowlist.read(c);
        if (allowlist.isPresent() && !allowlist.get().allows(plugin.pluginName())) {
            problems.add(notAllowed(allowlist.get(), plugin.pluginName()));
        }
        pluginListed = allowlist.isPresent() && allowlist.get().allows(plugin.pluginName());
    }

    /** The server's output_plugin_libraries does not list the plugin: the problem, with the exact statement that fixes it. */
    static Problem notAllowed(OutputPluginAllowlist allowlist, String plugin) {
        return new Problem("the server's " + OutputPluginAllowlist.PARAMETER + " (" + allowlist + ") does not list " + plugin
                + ", so the server refuses it as an output plugin, at slot creation and every time decoding starts",
                "An administrator allows it, keeping what the list holds, and reloads: " + allowlist.fixFor(plugin)
                        + " (in this list form; a quoted string would be one name). pgscribe does not change this security "
                        + "setting itself.");
    }

    /** Whether the plugin's library is in the server's library directory (needs a superuser). */
    public static boolean pluginInstalled(Connection c, DecoderPlugin plugin) throws SQLException {
        return Boolean.parseBoolean(Pg.string(c, "SELECT ((pg_stat_file(setting || '/' || ? || '.so', true)).size IS NOT NULL)::text "
                + "FROM pg_config WHERE name = 'PKGLIBDIR'", plugin.pluginName()));
    }

    private void checkTools(PgTools tools, int serverMajor) {
        for (String tool : List.of("pg_dump", "pg_dumpall", "pg_recvlogical", "psql")) {
            try {
                int major = tools.majorVersion(tool);
                if ((tool.equals("pg_dump") || tool.equals("pg_dumpall")) && major < serverMajor) {
                    problems.add(new Problem(tool + " is version " + major + ", older than the server (" + serverMajor + ")",
                            "Install the client tools of PostgreSQL " + serverMajor + " or later (apt-get install postgresql-client-"
                                    + serverMajor + ", from apt.postgresql.org where the distribution has no such package) and set "
                                    + "pgscribe.pg.bindir to their directory (/usr/lib/postgresql/" + serverMajor + "/bin)."));
                }
            } catch (io.pgscribe.PgscribeException e) {
                problems.add(new Problem(e.getMessage(), e.hint()));
            }
        }
    }
}
