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
 * {@code pgscribe-spool:<name>}: a consumer that follows the spool and hands the route a
 * batch of complete lines per exchange (body: {@code List<SpoolFollower.Item>}).
 * camel-stream cannot follow a rotated file, hence this small component.
 */
public final class SpoolComponent extends DefaultComponent {

    private final SpoolDirectory spool;
    private final SpoolCheckpoint checkpoint;
    private final Charset charset;
    private final int batchLines;
    private final Duration pollDelay;

    public SpoolComponent(SpoolDirectory spool, SpoolCheckpoint checkpoint, Charset charset, int batchLines,
                          Duration pollDelay) {
        this.spool = spool;
        this.checkpoint = checkpoint;
        this.charset = charset;
        this.batchLines = batchLines;
        this.pollDelay = pollDelay;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) {
        return new SpoolEndpoint(uri, this);
    }

    final class SpoolEndpoint extends DefaultEndpoint {
        SpoolEndpoint(String uri, SpoolComponent component) {
            super(uri, component);
        }

        @Override
        public Producer createProducer() {
            throw new UnsupportedOperationException("pgscribe-spool can only be read from");
        }

        @Override
        public Consumer createConsumer(Processor processor) throws Exception {
            SpoolConsumer c = new SpoolConsumer(this, processor, spool, checkpoint, charset, batchLines, pollDelay);
            configureConsumer(c);
            return c;
        }
    }
}
