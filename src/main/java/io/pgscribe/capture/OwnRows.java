package io.pgscribe.capture;

import io.pgscribe.ddl.DdlEvent;
import io.pgscribe.render.SequenceSample;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * The rows of pgscribe's own tables ({@code pgscribe.ddl_log}, {@code pgscribe.sequence_log})
 * the capture has read: of the transaction being read, of the open segment, and of closed
 * segments, which the source need not keep any longer (the DDL text in them may hold secrets,
 * and they would pile up). Also the last sequence sample in a segment, which a stop waits for.
 */
public final class OwnRows {

    /** A row of {@code pgscribe.ddl_log} or {@code pgscribe.sequence_log}, by its id. */
    public record Row(String table, long id) {
    }

    private final List<Row> transaction = new ArrayList<>();
    private final List<Row> segment = new ArrayList<>();
    private final ConcurrentLinkedQueue<Row> closed = new ConcurrentLinkedQueue<>();
    private final Object sampleSeen = new Object();
    private volatile long lastSample = -1; // id of the last pgscribe.sequence_log row committed into a segment
    private long transactionSample = -1;

    void beginTransaction() {
        transaction.clear();
        transactionSample = -1;
    }

    /** A row inserted into {@code table} of pgscribe's schema, with its {@code id} column's text. */
    void read(String table, String id) {
        if (id != null && (DdlEvent.TABLE.equals(table) || SequenceSample.TABLE.equals(table))) {
            try {
                transaction.add(new Row(table, Long.parseLong(id.strip())));
            } catch (NumberFormatException e) {
                // not a row pgscribe wrote: nothing to prune
            }
        }
    }

    /** The transaction holds the sequence sample {@code id}. */
    void sampled(long id) {
        transactionSample = id;
    }

    /** The transaction committed; {@code written}: into the open segment (not skipped, not empty). */
    void committed(boolean written) {
        if (transactionSample > lastSample) {
            synchronized (sampleSeen) {
                lastSample = transactionSample; // written now, or already in a closed segment when skipped
                sampleSeen.notifyAll();
            }
        }
        if (written) {
            segment.addAll(transaction);
        }
    }

    /** The open segment is dropped (its transactions are read again from the spool). */
    void segmentAbandoned() {
        segment.clear();
    }

    void segmentClosed() {
        closed.addAll(segment);
        segment.clear();
    }

    /** The rows closed segments hold since the last call: the source need not keep them. */
    public List<Row> takeClosed() {
        List<Row> out = new ArrayList<>();
        Row r;
        while ((r = closed.poll()) != null) {
            out.add(r);
        }
        return out;
    }

    /** Rows {@link #takeClosed()} gave that could not be pruned: offered again next time. */
    public void giveBack(List<Row> rows) {
        closed.addAll(rows);
    }

    /** The id of the last pgscribe.sequence_log row whose transaction is in a segment (open or closed), -1 before one. */
    public long lastSequenceSample() {
        return lastSample;
    }

    /** Waits until the sample {@code id} of pgscribe.sequence_log is in a segment; false after {@code atMost}. */
    public boolean awaitSequenceSample(long id, Duration atMost) throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        synchronized (sampleSeen) {
            while (lastSample < id) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(sampleSeen, left);
            }
            return true;
        }
    }
}
