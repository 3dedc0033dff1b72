package io.pgscribe.testing;

import io.pgscribe.pg.LocalCluster;
import io.pgscribe.pg.PgServer;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;

/**
 * Which PostgreSQL server the integration tests run against, from the system property
 * {@value #PROPERTY}: {@code local} (a throwaway cluster from this machine's server binaries),
 * {@code docker} (the image of docker/postgres through Testcontainers), or {@code auto}, the
 * default: docker where a Docker engine answers, local otherwise.
 */
public final class TestServers {

    public static final String PROPERTY = "pgscribe.test.server";

    public enum Kind { LOCAL, DOCKER }

    /** The output plugins the integration tests decode with: allowed on every server they start. */
    public static final List<String> OUTPUT_PLUGINS = List.of("wal2json");

    private TestServers() {
    }

    static Kind choose(String property, BooleanSupplier dockerAnswers) {
        String v = property == null || property.isBlank() ? "auto" : property.strip().toLowerCase(Locale.ROOT);
        switch (v) {
            case "local":
                return Kind.LOCAL;
            case "docker":
                if (!dockerAnswers.getAsBoolean()) {
                    throw new IllegalStateException("-D" + PROPERTY + "=docker, but no Docker engine answers here; start one "
                            + "(DOCKER_HOST, or /var/run/docker.sock), or use -D" + PROPERTY + "=local");
                }
                return Kind.DOCKER;
            case "auto":
                return dockerAnswers.getAsBoolean() ? Kind.DOCKER : Kind.LOCAL;
            default:
                throw new IllegalStateException("-D" + PROPERTY + "=" + property + ": use local, docker or auto");
        }
    }

    static boolean dockerAnswers() {
        try {
            return org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    /** A throwaway cluster from this machine's binaries, for the tests' decoders. */
    public static LocalCluster localCluster(List<String> extraSettings) {
        return LocalCluster.start(Path.of("target", "pg-clusters"), OUTPUT_PLUGINS, extraSettings);
    }

    /** Starts the server the property selects. */
    public static PgServer start() {
        return choose(System.getProperty(PROPERTY), TestServers::dockerAnswers) == Kind.DOCKER
                ? ContainerServer.start()
                : localCluster(List.of());
    }
}
