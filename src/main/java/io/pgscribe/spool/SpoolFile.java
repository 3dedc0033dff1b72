package io.pgscribe.spool;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A spool file name: {@code <seq>-<run>.<ext>}. {@code seq} orders files; {@code run}
 * counts pg_recvlogical processes. A new run means the previous process ended, perhaps in
 * the middle of a line or transaction; within one run, a new file is only a rotation.
 */
public record SpoolFile(long seq, long run, String extension) implements Comparable<SpoolFile> {

    private static final Pattern NAME = Pattern.compile("(\\d{8,})-(\\d{6,})\\.([a-z]+)");

    public String name() {
        return pad(seq, 8) + "-" + pad(run, 6) + "." + extension;
    }

    private static String pad(long n, int width) {
        String digits = Long.toString(n);
        return digits.length() >= width ? digits : "0".repeat(width - digits.length()) + digits;
    }

    public static SpoolFile parse(String name) {
        Matcher m = NAME.matcher(name);
        if (!m.matches()) {
            return null;
        }
        return new SpoolFile(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), m.group(3));
    }

    @Override
    public int compareTo(SpoolFile o) {
        return Long.compare(seq, o.seq);
    }
}
