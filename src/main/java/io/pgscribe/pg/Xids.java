package io.pgscribe.pg;

/**
 * PostgreSQL's 32-bit transaction ids, compared as the server does: around the wrap, an xid is
 * newer than another when it is less than 2^31 ahead of it. The decoders send the 32-bit value.
 */
public final class Xids {

    private Xids() {
    }

    /** Whether {@code xid} was assigned after {@code other} (both taken modulo 2^32). */
    public static boolean isNewer(long xid, long other) {
        return (int) ((xid & 0xFFFFFFFFL) - (other & 0xFFFFFFFFL)) > 0;
    }
}
