package io.pgscribe.capture;

import io.pgscribe.spool.SpoolDirectory;
import java.nio.charset.Charset;
import java.time.Duration;
import java.util.Map;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultComponent;
import org.apache.camel.support.DefaultEndpoint;

/**
 * {@code pgscribe-spool:<pipeline>}: a consumer that follows that pipeline's spool and hands the
 * route a batch of complete lines per exchange (body: {@code List<SpoolFollower.Item>}).
 * camel-stream cannot follow a rotated file, hence this small component. One component
 * serves every pipeline of the runtime; each registers its spool under its name.
 */
public final class SpoolComponent extends DefaultComponent {

    private record Source(SpoolDirectory spool, SpoolCheckpoint checkpoint, Charset charset, int batchLines,
                          Duration pollDelay, CaptureFault fault) {
    }

    private final Map<String, Source> sources = new java.util.concurrent.ConcurrentHashMap<>();

    public void register(String pipeline, SpoolDirectory spool, SpoolCheckpoint checkpoint, Charset charset, int batchLines,
                         Duration pollDelay, CaptureFault fault) {
        sources.put(pipeline, new Source(spool, checkpoint, charset, batchLines, pollDelay, fault));
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) {
        Source source = sources.get(remaining);
        if (source == null) {
            throw new IllegalArgumentException("pgscribe-spool:" + remaining + " names no pipeline of this runtime (it has "
                    + String.join(", ", new java.util.TreeSet<>(sources.keySet())) + ")");
        }
        return new SpoolEndpoint(uri, this, source);
    }

    final class SpoolEndpoint extends DefaultEndpoint {
        private final Source source;

        SpoolEndpoint(String uri, SpoolComponent component, Source source) {
            super(uri, component);
            this.source = source;
        }

        @Override
        public Producer createProducer() {
            throw new UnsupportedOperationException("pgscribe-spool can only be read from");
        }

        @Override
        public Consumer createConsumer(Processor processor) throws Exception {
            SpoolConsumer c = new SpoolConsumer(this, processor, source.spool(), source.checkpoint(), source.charset(),
                    source.batchLines(), source.pollDelay(), source.fault());
            configureConsumer(c);
            return c;
        }
    }
}
