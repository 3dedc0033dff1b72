package io.pgscribe.decode;

import java.util.function.Consumer;

/** Turns decoder output, one line at a time, into {@link Change}s. */
public interface Decoder {

    /** Feeds one line (without its newline); each change it completes goes to {@code sink}. */
    void decodeLine(String line, Consumer<Change> sink);

    /** The same from the line's bytes in {@code charset}. */
    default void decodeLine(byte[] line, java.nio.charset.Charset charset, Consumer<Change> sink) {
        decodeLine(new String(line, charset), sink);
    }

    /** Forgets a partly read change: the output of a process that died is left behind. */
    void reset();

    /** Whether a change is partly read (a statement spanning lines). */
    boolean inMiddleOfChange();

    /**
     * What the decoder learnt earlier in this process's output and needs to read what follows
     * (pgoutput's Relation messages), or null when every message stands on its own.
     */
    default byte[] sessionState() {
        return null;
    }

    /** Takes back a {@link #sessionState()}, as it was at the spool position the capture resumes at. */
    default void restoreSessionState(byte[] state, java.nio.charset.Charset charset) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " keeps no session state");
    }
}
