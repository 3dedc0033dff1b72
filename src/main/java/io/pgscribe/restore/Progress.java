package io.pgscribe.restore;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * How far a restore is: a bar on a terminal (bytes, transactions, rate, time left),
 * or a plain line every 10 seconds when the output goes to a log.
 */
public final class Progress {

    private final long totalBytes;
    private final PrintStream out;
    private final boolean terminal;
    private final LongSupplier nanoClock;
    private final long started;
    private long lastPrint;
    private boolean printed;

    Progress(long totalBytes, PrintStream out, boolean terminal) {
        this(totalBytes, out, terminal, System::nanoTime);
    }

    Progress(long totalBytes, PrintStream out, boolean terminal, LongSupplier nanoClock) {
        this.totalBytes = Math.max(totalBytes, 1);
        this.out = out;
        this.terminal = terminal;
        this.nanoClock = nanoClock;
        this.started = nanoClock.getAsLong();
        this.lastPrint = started;
    }

    void update(long bytesDone, long transactions) {
        long now = nanoClock.getAsLong();
        long every = terminal ? Duration.ofMillis(250).toNanos() : Duration.ofSeconds(10).toNanos();
        if (now - lastPrint < every) {
            return;
        }
        lastPrint = now;
        print(bytesDone, transactions, now);
    }

    void finish(long bytesDone, long transactions) {
        if (printed || terminal) {
            print(Math.min(bytesDone, totalBytes), transactions, nanoClock.getAsLong());
            if (terminal) {
                out.println();
            }
        }
    }

    private void print(long bytesDone, long transactions, long now) {
        printed = true;
        double seconds = Math.max((now - started) / 1e9, 1e-3);
        double fraction = Math.min(1.0, bytesDone / (double) totalBytes);
        long rate = Math.round(transactions / seconds);
        String eta = fraction > 0.001 ? formatSeconds(seconds / fraction - seconds) : "?";
        String figures = String.format(Locale.ROOT, "%s of %s, %,d transactions, %,d tx/s, %s left", bytes(bytesDone), bytes(totalBytes),
                transactions, rate, eta);
        if (terminal) {
            int width = 30;
            int filled = (int) Math.round(fraction * width);
            out.print("\r[" + "=".repeat(filled) + (filled < width ? ">" : "") + " ".repeat(Math.max(0, width - filled - 1))
                    + "] " + String.format(Locale.ROOT, "%3d%%", Math.round(fraction * 100)) + " " + figures + "   ");
            out.flush();
        } else {
            out.println(String.format(Locale.ROOT, "applied %d%%: %s", Math.round(fraction * 100), figures));
        }
    }

    public static String bytes(long b) {
        if (b < 1024) {
            return b + " B";
        }
        if (b < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f kB", b / 1024.0);
        }
        if (b < 1024L * 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f MB", b / (1024.0 * 1024));
        }
        return String.format(Locale.ROOT, "%.2f GB", b / (1024.0 * 1024 * 1024));
    }

    private static String formatSeconds(double s) {
        long t = Math.round(s);
        return t >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", t / 3600, (t % 3600) / 60, t % 60) : String.format(Locale.ROOT, "%d:%02d", t / 60, t % 60);
    }
}
