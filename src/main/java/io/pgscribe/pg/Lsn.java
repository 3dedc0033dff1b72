package io.pgscribe.pg;

import java.util.Objects;

/**
 * A WAL position (log sequence number), compared unsigned, written the PostgreSQL way
 * ({@code 16/3002D50}).
 */
public final class Lsn implements Comparable<Lsn> {

    public static final Lsn ZERO = new Lsn(0L);

    private final long value;

    private Lsn(long value) {
        this.value = value;
    }

    public static Lsn of(long value) {
        return value == 0L ? ZERO : new Lsn(value);
    }

    /** Parses {@code X/Y} (both hexadecimal) as PostgreSQL prints it; without substrings (twice per transaction captured). */
    public static Lsn valueOf(String text) {
        Objects.requireNonNull(text, "lsn");
        int slash = text.indexOf('/');
        if (slash <= 0 || slash == text.length() - 1 || text.indexOf('/', slash + 1) >= 0) {
            throw new IllegalArgumentException("not an LSN (expected like 16/3002D50): " + text);
        }
        try {
            long hi = Long.parseLong(text, 0, slash, 16);
            long lo = Long.parseLong(text, slash + 1, text.length(), 16);
            if (hi < 0 || hi > 0xFFFFFFFFL || lo < 0 || lo > 0xFFFFFFFFL) {
                throw new IllegalArgumentException("LSN part out of range: " + text);
            }
            return of((hi << 32) | lo);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not an LSN (expected like 16/3002D50): " + text, e);
        }
    }

    /** Parses the 16-digit hexadecimal form used in file names. */
    public static Lsn fromHex16(String hex) {
        if (hex.length() != 16) {
            throw new IllegalArgumentException("expected 16 hex digits: " + hex);
        }
        return of(Long.parseUnsignedLong(hex, 16));
    }

    public long asLong() {
        return value;
    }

    // written for every transaction the capture writes: no Formatter (its parsing showed in a profile of the capture)
    public String asString() {
        return Long.toHexString(value >>> 32).toUpperCase(java.util.Locale.ROOT) + "/"
                + Long.toHexString(value & 0xFFFFFFFFL).toUpperCase(java.util.Locale.ROOT);
    }

    /** 16 upper-case hex digits: sorts like the LSN itself. */
    public String asHex16() {
        String hex = Long.toHexString(value).toUpperCase(java.util.Locale.ROOT); // unsigned: 16 digits from 2^63 on
        return "0".repeat(16 - hex.length()) + hex;
    }

    public boolean isAfter(Lsn other) {
        return compareTo(other) > 0;
    }

    public boolean isBefore(Lsn other) {
        return compareTo(other) < 0;
    }

    /** Bytes from {@code other} to this position; negative when this is earlier. */
    public long minus(Lsn other) {
        return value - other.value;
    }

    public static Lsn max(Lsn a, Lsn b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    @Override
    public int compareTo(Lsn o) {
        return Long.compareUnsigned(value, o.value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Lsn other && other.value == value;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(value);
    }

    @Override
    public String toString() {
        return asString();
    }
}
