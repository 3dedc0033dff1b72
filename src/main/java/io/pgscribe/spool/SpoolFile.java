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
        return String.format("%08d-%06d.%s", seq, run, extension);
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
