package io.pgscribe.testing;

import io.pgscribe.cluster.LocalCluster;
import io.pgscribe.server.Pg;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives a test class its own throwaway PostgreSQL cluster (wal_level=logical) from the
 * server binaries on this machine, and checks when the class is done that it left no
 * replication slot behind.
 */
public final class PgClusterExtension implements ParameterResolver, AfterAllCallback {

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(PgClusterExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext pc, ExtensionContext ec) {
        return pc.getParameter().getType() == LocalCluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext pc, ExtensionContext ec) throws ParameterResolutionException {
        ExtensionContext classContext = ec.getRoot().equals(ec) ? ec : classContext(ec);
        return classContext.getStore(NS).getOrComputeIfAbsent("cluster",
                k -> LocalCluster.start(Path.of("target", "pg-clusters"), List.of()), LocalCluster.class);
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
        LocalCluster cluster = ec.getStore(NS).remove("cluster", LocalCluster.class);
        if (cluster == null) {
            return;
        }
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
