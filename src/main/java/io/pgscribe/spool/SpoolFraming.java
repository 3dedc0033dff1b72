package io.pgscribe.spool;

/**
 * How the records pg_recvlogical writes into the spool are told apart. Each record ends in a
 * newline; for a text decoder that is the first newline, for a binary one (pgoutput) the
 * newline after the message its fields describe.
 */
@FunctionalInterface
public interface SpoolFraming {

    /** One record per line. */
    SpoolFraming LINES = SpoolFollower::indexOfNewline;

    /**
     * The index of the newline that ends the record starting at {@code from}, or -1 while
     * {@code buf[from, to)} does not hold all of it. Throws when the bytes cannot be a record.
     */
    int recordEnd(byte[] buf, int from, int to);
}
