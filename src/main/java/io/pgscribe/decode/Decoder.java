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
}
