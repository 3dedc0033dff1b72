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
    private boolean checked;

    public CheckedAtEnd(InputStream in, Check check) {
        super(in);
        this.check = check;
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
