package io.pgscribe.encryption;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A stream that runs a check once its source is read to the end (an integrity packet, the
 * end of a message after its compressed content); a failing check throws from that read.
 */
public final class CheckedAtEnd extends FilterInputStream {

    /** The check; throws when what was read is not what was written. */
    @FunctionalInterface
    public interface Check {
        void run() throws IOException;
    }

    private final Check check;
    private final java.io.Closeable alsoClose;
    private boolean checked;

    public CheckedAtEnd(InputStream in, Check check) {
        this(in, check, null);
    }

    /** {@code alsoClose}: what closing {@code in} does not close (BouncyCastle's streams leave their source open). */
    public CheckedAtEnd(InputStream in, Check check, java.io.Closeable alsoClose) {
        super(in);
        this.check = check;
        this.alsoClose = alsoClose;
    }

    @Override
    public void close() throws IOException {
        try {
            super.close();
        } finally {
            if (alsoClose != null) {
                alsoClose.close();
            }
        }
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b < 0) {
            atEnd();
        }
        return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        int n = super.read(buf, off, len);
        if (n < 0) {
            atEnd();
        }
        return n;
    }

    private void atEnd() throws IOException {
        if (!checked) {
            check.run();
            checked = true;
        }
    }
}
