package io.pgscribe.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgscribe.cli.PgscribeCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `pgscribe demo` works with no configuration and cleans up after itself. */
class DemoIT {

    @TempDir
    Path tmp;

    @Test
    void demoRunsTheWholeCycleAndSaysSo() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Path work = tmp.resolve("demo");
        int code = new Demo(out).run(work, false);
        String printed = bytes.toString(StandardCharsets.UTF_8);
        assertThat(code).as(printed).isZero();
        assertThat(printed).contains("$ pgscribe init", "$ pgscribe restore --to-db shop_restored",
                "3 table(s) compared: all the same", "Dropped replication slot pgscribe_demo", "Demo OK");
        assertThat(printed).contains("workload: 30 transactions");
        // the workload's transactions, and the capture's own sequence samples
        assertThat(printed).containsPattern("captured: \\d+ segment\\(s\\), 3\\d transactions");
        assertThat(printed).contains("compressed by the compress route (gzip)").containsPattern("Chain: base base/[0-9A-F]{16}-\\w+\\.sql\\.gz");
        assertThat(Files.exists(work)).isFalse();
    }

    @Test
    void theCommandLineRefusesUnknownFlagsWithTheUsageExitCode() {
        assertThat(PgscribeCommand.execute("demo", "--no-such-flag")).isEqualTo(2);
        assertThat(PgscribeCommand.execute("restore")).isEqualTo(2); // --to-db is required
    }
}
