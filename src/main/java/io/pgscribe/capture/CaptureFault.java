package io.pgscribe.capture;

import io.pgscribe.ErrorText;
import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import java.time.Instant;
import java.util.Optional;

/**
 * A capture error that keeps coming back: what it is in one line (the cause an operator acts on,
 * e.g. "No space left on device on /backups/segments/x.sql.partial", never a wrapper's words), since
 * when and how often. The monitor turns it into an alert within one interval; it is cleared as
 * soon as the capture moves again.
 */
public final class CaptureFault {

    /** {@code exitCode}: of the failure, when pgscribe knew what it meant (DAMAGED, REFUSED), else FAILED. */
    public record State(String headline, String hint, Instant since, Instant last, long count, int exitCode) {
    }

    private State state;

    /** Records one failure; returns true when its headline is new (worth a full log line). */
    public synchronized boolean failed(Throwable t, Instant now) {
        String headline = headline(t);
        String hint = hint(t);
        int code = exitCode(t);
        if (state == null) {
            state = new State(headline, hint, now, now, 1, code);
            return true;
        }
        boolean changed = !state.headline().equals(headline);
        state = new State(headline, hint, state.since(), now, state.count() + 1, code);
        return changed;
    }

    /** The capture moved (a batch went through): nothing is failing any more. */
    public synchronized Optional<State> moved() {
        State was = state;
        state = null;
        return Optional.ofNullable(was);
    }

    public synchronized Optional<State> current() {
        return Optional.ofNullable(state);
    }

    /** The cause an operator acts on ({@link ErrorText#headline}). */
    public static String headline(Throwable t) {
        return ErrorText.headline(t);
    }

    private static String hint(Throwable t) {
        for (Throwable c = t; c != null; c = next(c)) {
            if (c instanceof PgscribeException p && p.hint() != null) {
                return p.hint();
            }
        }
        return null;
    }

    private static int exitCode(Throwable t) {
        for (Throwable c = t; c != null; c = next(c)) {
            if (c instanceof PgscribeException p) {
                return p.exitCode();
            }
        }
        return ExitCode.FAILED;
    }

    private static Throwable next(Throwable c) {
        return c.getCause() == c ? null : c.getCause();
    }
}
