package io.pgscribe.pg;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A throwaway PostgreSQL cluster from the server binaries on this machine: initdb into a
 * directory, a free loopback port, {@code wal_level=logical}, password authentication, and
 * the output plugins the run needs allowed where the server has an allowlist for them.
 * Used by {@code pgscribe demo}, the integration tests and the benchmarks. When run as root,
 * the server runs as an unprivileged OS user ({@code postgres} by default), as PostgreSQL requires.
 */
public final class LocalCluster implements PgServer {

    private static final Logger LOG = LoggerFactory.getLogger(LocalCluster.class);

    private final Path dir;
    private final Path data;
    private final Path bin;
    private final int port;
    private final String password;
    private final String osUser; // null when not root
    private final List<String> serverOptions;
    private boolean running;

    private final List<String> outputPlugins;

    private LocalCluster(Path dir, Path bin, int port, String password, String osUser, List<String> serverOptions,
                         List<String> outputPlugins) {
        this.dir = dir;
        this.outputPlugins = List.copyOf(outputPlugins);
        this.data = dir.resolve("data");
        this.bin = bin;
        this.port = port;
        this.password = password;
        this.osUser = osUser;
        this.serverOptions = serverOptions;
    }

    /**
     * Creates and starts a cluster in a new directory under {@code parent}. {@code outputPlugins}:
     * the decoders the run uses (e.g. wal2json), allowed by the cluster's configuration beside
     * pgoutput and test_decoding where its server has {@code output_plugin_libraries}.
     */
    public static LocalCluster start(Path parent, List<String> outputPlugins, List<String> extraSettings) {
        return start(parent, serverBinaries(), outputPlugins, extraSettings);
    }

    /** As {@link #start(Path, List, List)}, from the server binaries in {@code bin} (another version's, say). */
    public static LocalCluster start(Path parent, Path bin, List<String> outputPlugins, List<String> extraSettings) {
        String osUser = isRoot() ? System.getenv().getOrDefault("PGSCRIBE_CLUSTER_OS_USER", "postgres") : null;
        Path dir = clusterDirectory(parent, osUser);
        byte[] secret = new byte[18];
        new SecureRandom().nextBytes(secret);
        String password = HexFormat.of().formatHex(secret);
        List<String> options = new ArrayList<>(List.of(
                "wal_level=logical", "max_replication_slots=20", "max_wal_senders=20",
                "listen_addresses=127.0.0.1", "unix_socket_directories=", "fsync=off", "full_page_writes=off",
                "synchronous_commit=on", "max_connections=60", "shared_buffers=64MB", "log_min_messages=warning",
                "logging_collector=off", "lc_messages=C"));
        options.addAll(extraSettings);
        LocalCluster c = new LocalCluster(dir, bin, freePort(), password, osUser, options, outputPlugins);
        c.initdb();
        c.allowOutputPlugins();
        c.startServer();
        return c;
    }

    @Override
    public ConnectionSpec connection(String database) {
        return new ConnectionSpec("127.0.0.1", port, database, "postgres", password, null, "disable");
    }

    public int port() {
        return port;
    }

    public Path directory() {
        return dir;
    }

    public Path binaries() {
        return bin;
    }

    /** Stops the server as a crash would ({@code -m immediate}): no checkpoint, slots may go back. */
    public void crash() {
        pgCtl("stop", "-m", "immediate", "-w", "-t", "60");
        running = false;
    }

    public void stop() {
        if (running) {
            pgCtl("stop", "-m", "fast", "-w", "-t", "60");
            running = false;
        }
    }

    public void startServer() {
        String opts = String.join(" ", serverOptions.stream().map(o -> "-c " + quoteOption(o)).toList()) + " -p " + port;
        pgCtl("start", "-w", "-t", "120", "-l", dir.resolve("server.log").toString(), "-o", opts);
        running = true;
    }

    /** The end of the server log, for test failure messages. */
    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(dir.resolve("server.log"), StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no server log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        try {
            stop();
        } finally {
            deleteTree(dir);
        }
    }

    private void initdb() {
        Path pwfile = dir.resolve("pwfile");
        try {
            Files.writeString(pwfile, password + "\n");
            Files.setPosixFilePermissions(pwfile, PosixFilePermissions.fromString("rw-------"));
            chown(pwfile);
            run(List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", "postgres",
                    "--auth=scram-sha-256", "--pwfile=" + pwfile, "-E", "UTF8", "--locale=C", "--no-sync"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            try {
                Files.deleteIfExists(pwfile);
            } catch (IOException e) {
                LOG.warn("could not delete {}", pwfile);
            }
        }
    }

    /**
     * Writes output_plugin_libraries into postgresql.conf (not onto the command line, so that an
     * ALTER SYSTEM can still change it), only where the server knows the parameter: an older
     * server refuses to start with it. Decided from the binaries, not by asking a role.
     */
    private void allowOutputPlugins() {
        if (!OutputPluginAllowlist.knownBy(bin)) {
            return;
        }
        OutputPluginAllowlist list = OutputPluginAllowlist.SERVER_DEFAULT;
        for (String p : outputPlugins) {
            list = list.with(p);
        }
        try {
            Files.writeString(data.resolve("postgresql.conf"), "\n# the decoders of this throwaway cluster's run\n"
                    + list.configurationLine() + "\n", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + data.resolve("postgresql.conf"), e);
        }
    }

    /** The output plugins this cluster was started for. */
    public List<String> outputPlugins() {
        return outputPlugins;
    }

    private void pgCtl(String... args) {
        List<String> cmd = new ArrayList<>(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString()));
        cmd.addAll(List.of(args));
        run(cmd);
    }

    private void run(List<String> command) {
        List<String> cmd = new ArrayList<>();
        if (osUser != null) {
            cmd.addAll(List.of("runuser", "-u", osUser, "--"));
        }
        cmd.addAll(command);
        PgTools.Result r = PgTools.run(cmd, Map.of("LC_ALL", "C"), Duration.ofMinutes(3));
        if (!r.ok()) {
            throw new PgscribeException(command.get(0) + " failed (exit " + r.exitCode() + "): " + r.stderr().strip()
                    + (r.stdout().isBlank() ? "" : "\n" + r.stdout().strip()) + "\n" + logTail(),
                    "Check that the PostgreSQL server binaries work (" + bin + ").", ExitCode.FAILED, null);
        }
    }

    /** Server binaries: {@code PG_BIN}, else {@code pg_config --bindir}, else the directory of initdb on PATH. */
    public static Path serverBinaries() {
        String env = System.getenv("PG_BIN");
        List<Path> candidates = new ArrayList<>();
        if (env != null && !env.isBlank()) {
            candidates.add(Path.of(env));
        }
        Path fromPgConfig = PgTools.pgConfigBindir();
        if (fromPgConfig != null) {
            candidates.add(fromPgConfig);
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(java.io.File.pathSeparator)) {
                candidates.add(Path.of(d));
            }
        }
        for (Path c : candidates) {
            if (Files.isExecutable(c.resolve("initdb")) && Files.isExecutable(c.resolve("pg_ctl"))
                    && Files.isExecutable(c.resolve("postgres"))) {
                return c.toAbsolutePath();
            }
        }
        throw new PgscribeException("no PostgreSQL server binaries (initdb, pg_ctl, postgres) were found",
                "Install the server (e.g. apt-get install postgresql-15 postgresql-15-wal2json) or set PG_BIN to its bin directory.",
                ExitCode.REFUSED, null);
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /**
     * A new directory for the cluster. The server's OS user must be able to reach it; when
     * {@code parent} is not reachable by that user (e.g. under /root), the system temp
     * directory is used instead.
     */
    private static Path clusterDirectory(Path parent, String osUser) {
        try {
            Files.createDirectories(parent);
            Path base = parent;
            if (osUser != null && !reachableBy(osUser, parent)) {
                base = Path.of(System.getProperty("java.io.tmpdir"));
                LOG.info("{} is not reachable by OS user {}; the cluster goes under {}", parent, osUser, base);
            }
            Path dir = Files.createTempDirectory(base, "pgcluster-");
            if (osUser != null) {
                UserPrincipal owner = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(osUser);
                Files.setOwner(dir, owner);
            }
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a cluster directory under " + parent, e);
        }
    }

    private static boolean reachableBy(String osUser, Path dir) {
        PgTools.Result r = PgTools.run(List.of("runuser", "-u", osUser, "--", "test", "-x", dir.toAbsolutePath().toString()),
                Map.of(), Duration.ofSeconds(30));
        return r.ok();
    }

    private void chown(Path p) throws IOException {
        if (osUser != null) {
            Files.setOwner(p, p.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(osUser));
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }

    private static String quoteOption(String o) {
        // pg_ctl passes -o through a shell; single-quote values with spaces or specials
        int eq = o.indexOf('=');
        String key = o.substring(0, eq);
        String value = o.substring(eq + 1);
        return key + "='" + value.replace("'", "'\\''") + "'";
    }

    public static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    LOG.warn("could not delete {}: {}", p, e.toString());
                }
            });
        } catch (IOException e) {
            LOG.warn("could not delete {}: {}", dir, e.toString());
        }
    }
}
