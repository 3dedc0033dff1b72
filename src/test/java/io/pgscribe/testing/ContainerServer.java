package io.pgscribe.testing;

import io.pgscribe.pg.ConnectionSpec;
import io.pgscribe.pg.PgServer;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.ImageFromDockerfile;

/**
 * The server image of {@code docker/postgres} (PostgreSQL with wal2json, wal_level=logical) in a
 * container, for machines with a Docker engine. The client tools pgscribe runs stay this
 * machine's; they reach the server through the mapped port.
 */
final class ContainerServer implements PgServer {

    private final GenericContainer<?> container;
    private final String password;

    private ContainerServer(GenericContainer<?> container, String password) {
        this.container = container;
        this.password = password;
    }

    @SuppressWarnings("resource") // closed by close()
    static ContainerServer start() {
        byte[] secret = new byte[18];
        new SecureRandom().nextBytes(secret);
        String password = HexFormat.of().formatHex(secret);
        GenericContainer<?> c = new GenericContainer<>(new ImageFromDockerfile("pgscribe-test-postgres", false)
                .withFileFromPath(".", Path.of("docker", "postgres")))
                .withEnv("POSTGRES_PASSWORD", password)
                .withExposedPorts(5432)
                // the image's settings, plus what the tests need: room for many slots, no fsync (throwaway data)
                .withCommand("postgres", "-c", "wal_level=logical", "-c", "max_replication_slots=20", "-c", "max_wal_senders=20",
                        "-c", "max_connections=60", "-c", "fsync=off", "-c", "full_page_writes=off")
                // the entrypoint starts the server twice (init, then for real): wait for the second
                .waitingFor(Wait.forLogMessage(".*database system is ready to accept connections.*\\n", 2)
                        .withStartupTimeout(Duration.ofMinutes(5)));
        c.start();
        return new ContainerServer(c, password);
    }

    @Override
    public ConnectionSpec connection(String database) {
        return new ConnectionSpec(container.getHost(), container.getMappedPort(5432), database, "postgres", password, null,
                "disable");
    }

    @Override
    public void close() {
        container.stop();
    }
}
