package io.pgscribe;

/** Exit codes of every pgscribe command; the README lists them. */
public final class ExitCode {
    public static final int OK = 0;
    /** Something failed: a server, a tool, a disk. The message says what. */
    public static final int FAILED = 1;
    /** Bad flags or configuration. */
    public static final int USAGE = 2;
    /** verify found a difference. */
    public static final int DIFFERENT = 3;
    /** Refused: a precondition is not met (preflight, an existing target database, replica identity gaps). */
    public static final int REFUSED = 4;
    /** The backup set is damaged: a checksum mismatch, a missing or truncated file, a gap in the chain. */
    public static final int DAMAGED = 5;
    /** Restored, but without DDL the capture could not replay (the summary names it): not the source as it was. */
    public static final int INCOMPLETE = 6;

    private ExitCode() {
    }
}
