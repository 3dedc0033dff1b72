package io.pgscribe.capture;

import io.pgscribe.decode.Decoder;
import io.pgscribe.manifest.SpoolPosition;
import io.pgscribe.spool.SpoolDirectory;
import io.pgscribe.spool.SpoolFile;
import java.nio.charset.Charset;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the capture stands in the spool: the checkpoint (what the manifest records; reading
 * starts there after a restart, and the spool before it is deleted) and the safe position (the
 * end of the last record read outside a transaction, where the next checkpoint goes), with the
 * decoder's session state at the safe position, kept in the spool at each checkpoint.
 */
final class SpoolResume {

    private static final Logger LOG = LoggerFactory.getLogger(SpoolResume.class);

    private final SpoolDirectory spool;
    private SpoolPosition safe;
    private byte[] safeState; // the decoder's session state at the safe position (null: it keeps none)
    private SpoolPosition checkpointed;

    SpoolResume(SpoolDirectory spool) {
        this.spool = spool;
    }

    /** Starts again at the recorded {@code resumeAt}; the (reset) decoder gets the session state kept there. */
    void load(SpoolPosition resumeAt, Decoder decoder, Charset charset, String pluginName) {
        safe = resumeAt;
        checkpointed = resumeAt;
        if (checkpointed != null && decoder.sessionState() != null) {
            byte[] kept = spool.sessionState(checkpointed);
            if (kept != null) {
                decoder.restoreSessionState(kept, charset);
            } else {
                LOG.warn("No {} session state is kept for the spool position {}: if the process that wrote it named a table "
                        + "before that point, reading it fails", pluginName, checkpointed);
            }
        }
        safeState = decoder.sessionState();
    }

    /** A record ending at {@code position} was read outside a transaction; {@code state}: the decoder's there. */
    void safeAt(SpoolPosition position, byte[] state) {
        safe = position;
        safeState = state;
    }

    /** A transaction committed in the record ending at {@code position}. */
    void safeAt(SpoolPosition position) {
        safe = position;
    }

    SpoolPosition safe() {
        return safe;
    }

    SpoolPosition checkpointed() {
        return checkpointed;
    }

    /** Records were read past the checkpoint, outside a transaction. */
    boolean pastCheckpoint() {
        return safe != null && !safe.equals(checkpointed);
    }

    /** Before a checkpoint at the safe position is recorded: what the decoder needs to resume there. */
    void keepSessionState() {
        if (safeState != null && safe != null) {
            spool.saveSessionState(safe, safeState);
        }
    }

    /** The manifest now records {@code position}: the spool before it, and other session states, go. */
    void advance(SpoolPosition position) {
        checkpointed = position;
        if (safeState != null) {
            spool.deleteSessionStatesBut(position);
        }
        SpoolFile f = position == null ? null : SpoolFile.parse(position.file());
        if (f != null) {
            int n = spool.deleteBefore(f);
            if (n > 0) {
                LOG.debug("Deleted {} spool files now covered by closed segments", n);
            }
        }
    }
}
