package io.pgscribe.decode;

import java.util.function.Consumer;

/** Turns decoder output, one line at a time, into {@link Change}s. */
public interface Decoder {

    /** Feeds one line (without its newline); each change it completes goes to {@code sink}. */
    void decodeLine(String line, Consumer<Change> sink);

    /** Forgets a partly read change: the output of a process that died is left behind. */
    void reset();

    /** Whether a change is partly read (a statement spanning lines). */
    boolean inMiddleOfChange();
}
