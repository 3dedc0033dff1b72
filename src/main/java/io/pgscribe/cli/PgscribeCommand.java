package io.pgscribe.cli;

import ch.qos.logback.classic.Level;
import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.Version;
import io.pgscribe.config.Settings;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine;

/** The {@code pgscribe} command line. */
@Command(name = "pgscribe", mixinStandardHelpOptions = true, versionProvider = PgscribeCommand.VersionInfo.class,
        description = "Plain-SQL incremental backups of PostgreSQL.",
        subcommands = {DemoCommand.class, InitCommand.class, RunCommand.class, RestoreCommand.class,
                VerifyCommand.class, PruneCommand.class, StatusCommand.class, UninstallCommand.class, ConfigCommand.class,
                KeygenCommand.class, SignCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done", "1:failed (server, tool or disk)", "2:bad flags or configuration",
                "3:verify found a difference", "4:refused: a precondition is not met",
                "5:the backup set is damaged (checksum, missing or truncated file, gap)"})
public final class PgscribeCommand {

    @Option(names = "--config", scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "Settings file (default: ./application.properties when it exists).")
    Path config;

    @Option(names = {"-s", "--set"}, scope = ScopeType.INHERIT, paramLabel = "KEY=VALUE",
            description = "Override one setting, e.g. -s pgscribe.source.database=shop.")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Option(names = "--database", scope = ScopeType.INHERIT, paramLabel = "NAME",
            description = "With pgscribe.databases: the database the command is for (run, init and config: all of them "
                    + "when left out).")
    String database;

    /** The settings of the one pipeline a command is for: --database, or the only one configured. */
    Settings settings() {
        Settings all = allSettings();
        if (all.pipeline() != null) {
            return all;
        }
        java.util.List<String> names = all.databases();
        if (names.size() == 1) {
            return all.forDatabase(names.get(0));
        }
        if (names.size() > 1) {
            throw new PgscribeException("pgscribe.databases lists " + String.join(", ", names)
                    + ", and this command is for one of them", "Add --database " + names.get(0) + " (or another of them).",
                    ExitCode.USAGE, null);
        }
        return all;
    }

    private Map<String, String> environment = System.getenv();

    /** The environment this command reads secrets from: the process's, or the one a test gave. */
    Map<String, String> environment() {
        return environment;
    }

    /** A password given with -s is on a command line that every user of the machine can read ({@code ps}). */
    static void refuseSecretsOnTheCommandLine(Map<String, String> overrides, String flag) {
        for (String key : overrides.keySet()) {
            if (!key.startsWith("pgscribe.")) {
                continue;
            }
            String general = key.startsWith(Settings.DATABASE_PREFIX)
                    ? "pgscribe." + key.substring(key.indexOf('.', Settings.DATABASE_PREFIX.length()) + 1) : key;
            io.pgscribe.config.Setting s = io.pgscribe.config.Setting.byKey().get(general);
            if (s != null && s.isSecret()) {
                throw new PgscribeException(key + " is given with " + flag + ", on a command line every user of this machine can "
                        + "read", "Set it in the environment instead: " + io.pgscribe.config.Setting.environmentVariable(key)
                        + (s == io.pgscribe.config.Setting.SOURCE_PASSWORD ? " (or use pgscribe.source.passfile)" : "")
                        + ".", ExitCode.USAGE, null);
            }
        }
    }

    /** Every pipeline's settings (see {@link Settings#pipelines()}), or the one of --database. */
    Settings allSettings() {
        Path file = config;
        if (file == null && Files.exists(Path.of("application.properties"))) {
            file = Path.of("application.properties");
        }
        refuseSecretsOnTheCommandLine(overrides, "-s");
        Map<String, String> properties = new LinkedHashMap<>();
        System.getProperties().stringPropertyNames().forEach(k -> properties.put(k, ""));
        refuseSecretsOnTheCommandLine(properties, "-D"); // java -Dpgscribe.source.password=... is as visible in ps
        Settings loaded = Settings.load(file, overrides, environment, System.getProperties());
        Settings chosen = database == null ? loaded : loaded.forDatabase(database);
        // every command refuses wrong settings before it does anything (exit 2)
        chosen.pipelines().forEach(io.pgscribe.config.SettingsCheck::require);
        return chosen;
    }

    /** One-shot commands print what they do; only warnings come through the log. */
    static void quietLogs() {
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        if (System.getenv("PGSCRIBE_LOG_LEVEL") == null) {
            root.setLevel(Level.WARN);
            for (String name : new String[] {"org.apache.camel.main.MainSupport", "org.apache.camel.impl.engine.AbstractCamelContext"}) {
                ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(name)).setLevel(Level.WARN);
            }
        }
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    public static int execute(String... args) {
        return execute(System.getenv(), args);
    }

    /** As {@link #execute(String...)}, with {@code environment} standing for the process's (tests in one JVM). */
    public static int execute(Map<String, String> environment, String... args) {
        PgscribeCommand command = new PgscribeCommand();
        command.environment = environment;
        CommandLine cl = new CommandLine(command);
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            PrintWriter err = cmd.getErr();
            if (e instanceof PgscribeException pe) {
                err.println("pgscribe: error: " + pe.getMessage());
                if (pe.hint() != null) {
                    err.println("HINT: " + pe.hint());
                }
                err.flush();
                return pe.exitCode();
            }
            if (e instanceof java.sql.SQLException se) {
                err.println("pgscribe: error: " + se.getMessage());
                err.flush();
                return ExitCode.FAILED;
            }
            err.println("pgscribe: error: " + e);
            e.printStackTrace(err);
            err.flush();
            return ExitCode.FAILED;
        });
        cl.setExitCodeExceptionMapper(e -> ExitCode.USAGE);
        return cl.execute(args);
    }

    /** pgscribe's version, the Java runtime, and each PostgreSQL tool pgscribe would run, with its version. */
    static final class VersionInfo implements CommandLine.IVersionProvider {
        static final java.util.List<String> TOOLS = java.util.List.of("pg_recvlogical", "pg_dump", "pg_dumpall", "pg_restore",
                "psql");

        @Override
        public String[] getVersion() {
            java.util.List<String> lines = new java.util.ArrayList<>();
            lines.add("pgscribe " + Version.current());
            lines.add("Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")");
            io.pgscribe.pg.PgTools tools;
            try {
                tools = io.pgscribe.pg.PgTools.locate(System.getenv().getOrDefault(
                        io.pgscribe.config.Setting.PG_BINDIR.environmentVariable(), ""));
            } catch (io.pgscribe.PgscribeException e) {
                lines.add("PostgreSQL tools: " + e.getMessage());
                return lines.toArray(new String[0]);
            }
            for (String tool : TOOLS) {
                String line;
                try {
                    String path = tools.path(tool);
                    var r = io.pgscribe.pg.PgTools.run(java.util.List.of(path, "--version"), java.util.Map.of(),
                            java.time.Duration.ofSeconds(10));
                    line = (r.ok() ? r.stdout().strip() : "(does not run: exit " + r.exitCode() + ")") + "  " + path;
                } catch (io.pgscribe.PgscribeException e) {
                    line = tool + ": not found";
                }
                lines.add(line);
            }
            return lines.toArray(new String[0]);
        }
    }
}
