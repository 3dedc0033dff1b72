package io.pgscribe.testing;

import io.pgscribe.pg.LocalCluster;
import io.pgscribe.pg.Pg;
import io.pgscribe.pg.PgServer;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives a test class its own throwaway PostgreSQL server (wal_level=logical): a {@link PgServer}
 * parameter gets the one {@link TestServers} selects (this machine's binaries, or the image of
 * docker/postgres), a {@link LocalCluster} parameter always a local cluster. When the class is
 * done it checks that no replication slot was left behind.
 */
public final class PgClusterExtension implements ParameterResolver, AfterAllCallback {

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(PgClusterExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext pc, ExtensionContext ec) {
        return pc.getParameter().getType() == PgServer.class || pc.getParameter().getType() == LocalCluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext pc, ExtensionContext ec) throws ParameterResolutionException {
        ExtensionContext classContext = ec.getRoot().equals(ec) ? ec : classContext(ec);
        if (pc.getParameter().getType() == LocalCluster.class) {
            return classContext.getStore(NS).getOrComputeIfAbsent("local",
                    k -> TestServers.localCluster(List.of()), LocalCluster.class);
        }
        return classContext.getStore(NS).getOrComputeIfAbsent("server", k -> TestServers.start(), PgServer.class);
    }

    private static ExtensionContext classContext(ExtensionContext ec) {
        ExtensionContext c = ec;
        while (c.getTestMethod().isPresent() && c.getParent().isPresent()) {
            c = c.getParent().get();
        }
        return c;
    }

    @Override
    public void afterAll(ExtensionContext ec) throws Exception {
        for (String key : List.of("server", "local")) {
            PgServer server = ec.getStore(NS).remove(key, PgServer.class);
            if (server != null) {
                checkNoSlotLeft(server);
            }
        }
    }

    private static void checkNoSlotLeft(PgServer cluster) throws Exception {
        try (cluster) {
            List<String> slots;
            try (Connection c = Pg.connect(cluster.connection("postgres"), "pgscribe-test")) {
                slots = Pg.query(c, "SELECT slot_name || ' (' || database || ')' FROM pg_replication_slots", rs -> rs.getString(1));
            }
            if (!slots.isEmpty()) {
                throw new AssertionError("the test left replication slots behind: " + slots);
            }
        }
    }
}
