package io.pgscribe.capture;

import java.util.Map;
import java.util.function.Function;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultComponent;
import org.apache.camel.support.DefaultConsumer;
import org.apache.camel.support.DefaultEndpoint;

/**
 * {@code pgscribe-recvlogical:<slot>}: route start runs pg_recvlogical under a
 * {@link RecvlogicalSupervisor}, route stop stops it after its last fsync. Each time the
 * process ends, the route gets an exchange: body the end of its standard error, headers
 * its exit code, uptime and restart count.
 */
public final class RecvlogicalComponent extends DefaultComponent {

    public static final String HEADER_EXIT_CODE = "PgscribeExitCode";
    public static final String HEADER_UPTIME_SECONDS = "PgscribeUptimeSeconds";
    public static final String HEADER_RESTARTS = "PgscribeRestarts";

    private final Function<java.util.function.Consumer<RecvlogicalSupervisor.Exit>, RecvlogicalSupervisor> supervisorFactory;
    private volatile RecvlogicalSupervisor current;

    public RecvlogicalComponent(
            Function<java.util.function.Consumer<RecvlogicalSupervisor.Exit>, RecvlogicalSupervisor> supervisorFactory) {
        this.supervisorFactory = supervisorFactory;
    }

    /** The supervisor of the running route, for metrics and tests. */
    public RecvlogicalSupervisor supervisor() {
        return current;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) {
        return new DefaultEndpoint(uri, this) {
            @Override
            public Producer createProducer() {
                throw new UnsupportedOperationException("pgscribe-recvlogical can only be read from");
            }

            @Override
            public Consumer createConsumer(Processor processor) throws Exception {
                Consumer c = new RecvlogicalConsumer(this, processor);
                configureConsumer(c);
                return c;
            }
        };
    }

    private final class RecvlogicalConsumer extends DefaultConsumer {
        private RecvlogicalSupervisor supervisor;

        RecvlogicalConsumer(Endpoint endpoint, Processor processor) {
            super(endpoint, processor);
        }

        @Override
        protected void doStart() throws Exception {
            super.doStart();
            supervisor = supervisorFactory.apply(this::exited);
            current = supervisor;
            supervisor.start();
        }

        @Override
        protected void doStop() throws Exception {
            if (supervisor != null) {
                supervisor.stop();
            }
            super.doStop();
        }

        private void exited(RecvlogicalSupervisor.Exit exit) {
            Exchange exchange = createExchange(false);
            try {
                exchange.getMessage().setBody(exit.stderrTail());
                exchange.getMessage().setHeader(HEADER_EXIT_CODE, exit.exitCode());
                exchange.getMessage().setHeader(HEADER_UPTIME_SECONDS, exit.uptime().toSeconds());
                exchange.getMessage().setHeader(HEADER_RESTARTS, exit.restarts());
                getProcessor().process(exchange);
                if (exchange.getException() != null) {
                    getExceptionHandler().handleException("Handling the end of pg_recvlogical failed", exchange,
                            exchange.getException());
                }
            } catch (Exception e) {
                getExceptionHandler().handleException("Handling the end of pg_recvlogical failed", e);
            } finally {
                releaseExchange(exchange, false);
            }
        }
    }
}
