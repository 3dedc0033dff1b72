package io.pgscribe;

import java.time.Duration;

/**
 * A wait that doubles after each failure up to a ceiling, and starts again from the first after
 * a success: pg_recvlogical's restarts, the capture's retries from its checkpoint, shipping.
 * Not thread-safe: each user keeps its own.
 */
public final class Backoff {

    private final Duration first;
    private final Duration max;
    private Duration next;

    /** {@code first}: the wait after the first failure; a ceiling {@code max} below it is every wait. */
    public Backoff(Duration first, Duration max) {
        if (first.isNegative() || first.isZero() || max.isNegative() || max.isZero()) {
            throw new IllegalArgumentException("a backoff needs positive waits, not " + first + " and " + max);
        }
        this.first = first.compareTo(max) > 0 ? max : first;
        this.max = max;
        this.next = this.first;
    }

    /** The wait after this failure; the one after the next failure is twice as long, up to the ceiling. */
    public Duration failed() {
        Duration wait = next;
        next = next.compareTo(max.dividedBy(2)) > 0 ? max : next.multipliedBy(2);
        return wait;
    }

    /** A success: the next failure waits the first wait again. */
    public void succeeded() {
        next = first;
    }
}
