package io.pgscribe.capture;

import io.pgscribe.manifest.SpoolPosition;

/** What the spool consumer needs from whoever turns the spool into segments. */
public interface SpoolCheckpoint {

    /** Where to start reading: just after the last transaction in a closed segment (null: the first file). */
    SpoolPosition resumePosition();

    /** Throws the failure of a segment close outside the stream (the timer's), so that the reader recovers from it. */
    void check();

    /** Drops what was read since the checkpoint, after a failure; reading starts again there. */
    void recover();

    /** Closes the open segment at the last COMMIT read. */
    void shutdown();
}
