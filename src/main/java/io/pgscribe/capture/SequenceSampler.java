package io.pgscribe.capture;

import io.pgscribe.pg.Pg;
import io.pgscribe.render.SequenceSample;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sequences are not in the change stream. On a schedule, after every closed segment and when
 * the runtime stops, this reads every sequence's value and, when any changed since the last
 * sample, logs them in {@code pgscribe.sequence_log}; the row reaches the stream at its commit
 * and the capture writes setval() there, so a restore to any point has each sequence as of its
 * last sample before that point, and a stopped runtime's backup has them as they were at the stop.
 */
public final class SequenceSampler {

    // a value we may not read looks like "never called": leave such sequences out rather than reset them
    private static final String SEQUENCES = """
            SELECT n.nspname, c.relname, s.seqstart, pg_sequence_last_value(c.oid)
              FROM pg_sequence s
              JOIN pg_class c ON c.oid = s.seqrelid
              JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname <> 'pgscribe' AND c.relpersistence <> 't'
               -- the planner may test this on any pg_class row: it must not reach a non-sequence
               AND CASE WHEN c.relkind = 'S' THEN has_sequence_privilege(c.oid, 'SELECT,USAGE') ELSE false END
             ORDER BY 1, 2
            """;

    private final SourceSession session;
    private final Map<String, SequenceSample> last = new HashMap<>();
    private final AtomicLong samplesLogged = new AtomicLong();
    private final java.time.Duration interval;
    private final java.util.function.LongSupplier segmentsClosed;
    private final java.time.Clock clock;
    private java.time.Instant lastSampled;
    private long closedAtLastSample = -1;
    private long lastLoggedId = -1;

    /**
     * {@code segmentsClosed}: how many segments the capture has closed; a sample follows each
     * (its row lands in the next segment, so a backup is never more than one segment behind).
     */
    public SequenceSampler(SourceSession session, java.time.Duration interval, java.util.function.LongSupplier segmentsClosed,
                           java.time.Clock clock) {
        this.session = session;
        this.interval = interval;
        this.segmentsClosed = segmentsClosed;
        this.clock = clock;
    }

    /** Called often (the capture's tick): samples when the interval has passed or a segment has closed since. */
    public synchronized int tick() throws SQLException {
        java.time.Instant now = clock.instant();
        long closed = segmentsClosed.getAsLong();
        boolean due = lastSampled == null || !now.isBefore(lastSampled.plus(interval)) || closed != closedAtLastSample;
        if (!due) {
            return 0;
        }
        // counted before the sample: a segment that closes while it runs gets a sample of its own
        closedAtLastSample = closed;
        lastSampled = now;
        return sample();
    }

    /** The id of the last row logged in pgscribe.sequence_log, -1 before the first. */
    public synchronized long lastLoggedId() {
        return lastLoggedId;
    }

    /** Samples now; returns how many sequences changed (and were logged). */
    public synchronized int sample() throws SQLException {
        List<SequenceSample> now = session.run(c -> Pg.query(c, SEQUENCES, rs -> {
            long lastValue = rs.getLong(4);
            boolean called = !rs.wasNull();
            return new SequenceSample(rs.getString(1), rs.getString(2), called ? lastValue : rs.getLong(3), called);
        }));
        List<SequenceSample> changed = now.stream().filter(s -> !s.equals(last.get(key(s)))).toList();
        if (!changed.isEmpty()) {
            String json = SequenceSample.toJson(changed);
            List<Long> id = session.run(c -> Pg.query(c, "INSERT INTO pgscribe.sequence_log (sequences) VALUES (?::jsonb) "
                    + "RETURNING id", rs -> rs.getLong(1), json));
            lastLoggedId = id.get(0);
            samplesLogged.incrementAndGet();
        }
        last.clear();
        now.forEach(s -> last.put(key(s), s));
        return changed.size();
    }

    public long samplesLogged() {
        return samplesLogged.get();
    }

    private static String key(SequenceSample s) {
        return s.schema() + '\u0000' + s.name();
    }
}
