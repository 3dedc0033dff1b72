package io.pgscribe.capture;

import io.pgscribe.Backoff;
import io.pgscribe.spool.SpoolDirectory;
import io.pgscribe.spool.SpoolFollower;
import java.nio.charset.Charset;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.support.DefaultConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the spool on its own thread and sends batches of lines down the route. When the
 * route fails, the capture goes back to its checkpoint and reads from there again, after
 * a pause that grows while the failure repeats. On stop it reads what is already in the
 * spool, then has the open segment closed at the last COMMIT.
 */
final class SpoolConsumer extends DefaultConsumer {

    private static final Logger LOG = LoggerFactory.getLogger(SpoolConsumer.class);
    static final String HEADER_SPOOL_FILE = "PgscribeSpoolFile";

    private final SpoolDirectory spool;
    private final SpoolCheckpoint checkpoint;
    private final Charset charset;
    private final int batchLines;
    private final Duration pollDelay;
    private final CaptureFault fault;
    private io.pgscribe.manifest.SpoolPosition failedAt;
    private volatile boolean running;
    private ExecutorService executor;

    SpoolConsumer(Endpoint endpoint, Processor processor, SpoolDirectory spool, SpoolCheckpoint checkpoint, Charset charset,
                  int batchLines, Duration pollDelay, CaptureFault fault) {
        super(endpoint, processor);
        this.fault = fault;
        this.spool = spool;
        this.checkpoint = checkpoint;
        this.charset = charset;
        this.batchLines = batchLines;
        this.pollDelay = pollDelay;
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        running = true;
        executor = getEndpoint().getCamelContext().getExecutorServiceManager()
                .newSingleThreadExecutor(this, "pgscribe-spool");
        executor.submit(this::follow);
    }

    @Override
    protected void doStop() throws Exception {
        running = false;
        if (executor != null) {
            executor.shutdown();
            if (!executor.awaitTermination(60, TimeUnit.SECONDS)) {
                LOG.warn("The spool reader did not stop within 60 s");
            }
            getEndpoint().getCamelContext().getExecutorServiceManager().shutdownNow(executor);
            executor = null;
        }
        super.doStop();
    }

    private void follow() {
        Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(1));
        SpoolFollower follower = new SpoolFollower(spool, checkpoint.resumePosition(), charset);
        try {
            while (true) {
                boolean stopping = !running;
                List<SpoolFollower.Item> batch;
                Exception failure = null;
                try {
                    checkpoint.check();
                    batch = next(follower);
                    if (!batch.isEmpty()) {
                        failure = deliver(batch, follower.currentFile());
                    }
                } catch (RuntimeException e) {
                    batch = List.of();
                    failure = e;
                }
                if (failure != null) {
                    Duration wait = backoff.failed();
                    report(failure, wait);
                    follower.close();
                    if (stopping || !pause(wait)) {
                        // nothing read since the checkpoint is kept: the next start reads it again
                        checkpoint.recover();
                        break;
                    }
                    checkpoint.recover();
                    follower = new SpoolFollower(spool, checkpoint.resumePosition(), charset);
                    continue;
                }
                if (batch.isEmpty()) {
                    if (stopping) {
                        break; // everything already in the spool has been read
                    }
                    if (!sleep(pollDelay)) {
                        break;
                    }
                } else {
                    backoff.succeeded();
                    // moved: a segment closed since the failure, so the checkpoint is past it
                    if (fault.current().isPresent() && !java.util.Objects.equals(checkpoint.resumePosition(), failedAt)) {
                        fault.moved().ifPresent(f -> LOG.info("The capture moves again (it failed {} time(s) since {}: {})",
                                f.count(), f.since(), f.headline()));
                    }
                }
            }
            checkpoint.shutdown();
        } catch (RuntimeException e) {
            LOG.error("Could not close the open segment on stop: {}", e.toString());
        } finally {
            follower.close();
        }
    }

    /** One ERROR line per new cause (the stack trace at DEBUG), then a reminder at the 2nd, 4th, 8th... repeat. */
    private void report(Exception failure, Duration backoff) {
        if (fault.current().isEmpty()) {
            failedAt = checkpoint.resumePosition();
        }
        boolean fresh = fault.failed(failure, java.time.Instant.now());
        CaptureFault.State f = fault.current().orElseThrow();
        String retry = "; it goes back to its last closed segment and reads the spool again in " + backoff.toSeconds() + " s";
        if (fresh) {
            LOG.error("The capture failed: {}{}{}", f.headline(), f.hint() == null ? "" : " HINT: " + f.hint(), retry);
            LOG.debug("The capture failed", failure);
        } else if (Long.bitCount(f.count()) == 1) {
            LOG.warn("The capture still fails ({} times since {}): {}{}", f.count(), f.since(), f.headline(), retry);
        }
    }

    private List<SpoolFollower.Item> next(SpoolFollower follower) {
        List<SpoolFollower.Item> batch = new ArrayList<>();
        SpoolFollower.Item item;
        while (batch.size() < batchLines && (item = follower.poll()) != null) {
            batch.add(item);
        }
        return batch;
    }

    private Exception deliver(List<SpoolFollower.Item> batch, String file) {
        Exchange exchange = createExchange(false);
        try {
            exchange.getMessage().setBody(batch);
            exchange.getMessage().setHeader(HEADER_SPOOL_FILE, file);
            getProcessor().process(exchange);
            return exchange.getException();
        } catch (Exception e) {
            return e;
        } finally {
            releaseExchange(exchange, false);
        }
    }

    /** Waits {@code d}, or less when the consumer is told to stop (false then): a stop never waits out a backoff. */
    private boolean pause(Duration d) {
        long until = System.nanoTime() + d.toNanos();
        while (running) {
            long left = until - System.nanoTime();
            if (left <= 0) {
                return true;
            }
            if (!sleep(Duration.ofNanos(Math.min(left, 100_000_000L)))) {
                return false;
            }
        }
        return false;
    }

    /** False when interrupted while stopping. */
    private boolean sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
