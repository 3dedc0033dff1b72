package io.pgscribe.storage;

import io.pgscribe.PgscribeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime's lock of one backup set, checked on every monitor sample: when its file was
 * deleted or replaced, the set is locked again at once; when another process took it meanwhile,
 * that is a finding (two writers on one set).
 */
public final class LockWatch implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LockWatch.class);

    private BackupSetLock lock;
    private String lost;

    public LockWatch(BackupSetLock lock) {
        this.lock = lock;
    }

    /** Null when the set is still locked by this runtime; else why not. */
    public synchronized String problem() {
        if (lost != null) {
            return lost;
        }
        if (lock == null || lock.intact()) {
            return null;
        }
        try {
            lock = lock.renewed();
            LOG.warn("The backup set's lock file {} was deleted or replaced while this runtime ran; it is locked again",
                    BackupSetLock.FILE);
            return null;
        } catch (PgscribeException e) {
            lock = null;
            lost = "the backup set's lock file " + BackupSetLock.FILE + " was deleted or replaced while this runtime ran, "
                    + "and another process holds the new one: " + e.getMessage();
            return lost;
        }
    }

    @Override
    public synchronized void close() {
        if (lock != null) {
            lock.close();
        }
    }
}
