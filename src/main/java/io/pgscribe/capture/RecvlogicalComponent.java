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
 * {@code pgscribe-recvlogical:<pipeline>}: route start runs pg_recvlogical under a
 * {@link RecvlogicalSupervisor}, route stop stops it after its last fsync. Each time the
 * process ends, the route gets an exchange: body the end of its standard error, headers
 * its exit code, uptime and restart count. One component serves every pipeline of the
 * runtime; each registers how its supervisor is made under its name.
 */
public final class RecvlogicalComponent extends DefaultComponent {

    public static final String HEADER_EXIT_CODE = "PgscribeExitCode";
    public static final String HEADER_UPTIME_SECONDS = "PgscribeUptimeSeconds";
    public static final String HEADER_RESTARTS = "PgscribeRestarts";

    /** One pipeline's pg_recvlogical: how its supervisor is made, and the one of the running route. */
    public static final class Capture {
        private final Function<java.util.function.Consumer<RecvlogicalSupervisor.Exit>, RecvlogicalSupervisor> factory;
        private volatile RecvlogicalSupervisor current;

        private Capture(Function<java.util.function.Consumer<RecvlogicalSupervisor.Exit>, RecvlogicalSupervisor> factory) {
            this.factory = factory;
        }

        /** The supervisor of the running route (null before it first started), for metrics and tests. */
        public RecvlogicalSupervisor supervisor() {
            return current;
        }
    }

    private final Map<String, Capture> captures = new java.util.concurrent.ConcurrentHashMap<>();

    public Capture register(String pipeline,
                            Function<java.util.function.Consumer<RecvlogicalSupervisor.Exit>, RecvlogicalSupervisor> factory) {
        Capture c = new Capture(factory);
        captures.put(pipeline, c);
        return c;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) {
        Capture capture = captures.get(remaining);
        if (capture == null) {
            throw new IllegalArgumentException("pgscribe-recvlogical:" + remaining + " names no pipeline of this runtime (it has "
                    + String.join(", ", new java.util.TreeSet<>(captures.keySet())) + ")");
        }
        return new DefaultEndpoint(uri, this) {
            @Override
            public Producer createProducer() {
                throw new UnsupportedOperationException("pgscribe-recvlogical can only be read from");
            }

            @Override
            public Consumer createConsumer(Processor processor) throws Exception {
                Consumer c = new RecvlogicalConsumer(this, processor, capture);
                configureConsumer(c);
                return c;
            }
        };
    }

    private final class RecvlogicalConsumer extends DefaultConsumer {
        private final Capture capture;
        private RecvlogicalSupervisor supervisor;

        RecvlogicalConsumer(Endpoint endpoint, Processor processor, Capture capture) {
            super(endpoint, processor);
            this.capture = capture;
        }

        @Override
        protected void doStart() throws Exception {
            super.doStart();
            supervisor = capture.factory.apply(this::exited);
            capture.current = supervisor;
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
