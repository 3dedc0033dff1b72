package io.pgscribe.restore;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressTest {

    private final AtomicLong clock = new AtomicLong(-5_000_000_000L); // nanoTime may be negative
    private final ByteArrayOutputStream sink = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(sink, true, StandardCharsets.UTF_8);

    private void advanceSeconds(long s) {
        clock.addAndGet(TimeUnit.SECONDS.toNanos(s));
    }

    private String printed() {
        return sink.toString(StandardCharsets.UTF_8);
    }

    @Test
    void logLinesEveryTenSecondsWithRateAndTimeLeft() {
        Progress p = new Progress(4L * 1024 * 1024, out, false, clock::get);
        p.update(1024, 10);
        assertThat(printed()).isEmpty(); // not before ten seconds
        advanceSeconds(10);
        p.update(1024L * 1024, 5000);
        assertThat(printed()).isEqualTo("applied 25%: 1.0 MB of 4.0 MB, 5,000 transactions, 500 tx/s, 0:30 left\n");
        advanceSeconds(5);
        p.update(2L * 1024 * 1024, 7000);
        assertThat(printed().lines()).hasSize(1);
        advanceSeconds(5);
        p.finish(4L * 1024 * 1024, 12000);
        assertThat(printed().lines()).last().isEqualTo("applied 100%: 4.0 MB of 4.0 MB, 12,000 transactions, 600 tx/s, 0:00 left");
        assertThat(printed()).doesNotContain("\r");
    }

    @Test
    void aShortRestoreOffATerminalPrintsNoProgressAtAll() {
        Progress p = new Progress(1000, out, false, clock::get);
        p.update(500, 3);
        p.finish(1000, 6);
        assertThat(printed()).isEmpty();
    }

    @Test
    void aBarOnATerminalRedrawnInPlace() {
        Progress p = new Progress(2L * 1024 * 1024 * 1024, out, true, clock::get);
        advanceSeconds(3600);
        p.update(1024L * 1024 * 1024, 3_600_000);
        assertThat(printed()).startsWith("\r[===============>              ]  50% 1.00 GB of 2.00 GB, 3,600,000 transactions, 1,000 tx/s, 1:00:00 left");
        p.finish(2L * 1024 * 1024 * 1024, 7_200_000);
        assertThat(printed()).contains("\r[==============================] 100%").endsWith("\n");
    }
}
