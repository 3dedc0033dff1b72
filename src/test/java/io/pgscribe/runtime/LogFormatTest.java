package io.pgscribe.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The runtime's logging as shipped (src/main/resources/logback.xml): plain text, or JSON lines on request. */
class LogFormatTest {

    /** Run in a child JVM with the shipped configuration: logs one line and one exception. */
    public static void main(String[] args) {
        var log = LoggerFactory.getLogger("io.pgscribe.capture.RecvlogicalSupervisor");
        log.info("Started pg_recvlogical (pid {}) for slot {}", 4242, "pgscribe");
        log.warn("Shipping failed", new IllegalStateException("store down"));
    }

    private static List<String> run(String format) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                "-Dlogback.configurationFile=" + Path.of("src/main/resources/logback.xml").toAbsolutePath()));
        if (format != null) {
            cmd.add("-DPGSCRIBE_LOG_FORMAT=" + format);
        }
        cmd.add(LogFormatTest.class.getName());
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(err).isZero();
        return err.lines().filter(l -> !l.isBlank()).toList();
    }

    @Test
    void plainTextByDefault() throws Exception {
        List<String> lines = run(null);
        assertThat(lines.get(0)).matches("\\d{4}-\\d\\d-\\d\\dT\\S+ INFO  \\[main] i\\.p\\.capture\\.RecvlogicalSupervisor - "
                + "Started pg_recvlogical \\(pid 4242\\) for slot pgscribe");
    }

    @Test
    void jsonLinesOnRequest() throws Exception {
        List<String> lines = run("json");
        ObjectMapper om = new ObjectMapper();
        assertThat(lines).hasSize(2);
        JsonNode info = om.readTree(lines.get(0));
        assertThat(info.path("level").asText()).isEqualTo("INFO");
        assertThat(info.path("loggerName").asText()).isEqualTo("io.pgscribe.capture.RecvlogicalSupervisor");
        assertThat(info.path("formattedMessage").asText()).isEqualTo("Started pg_recvlogical (pid 4242) for slot pgscribe");
        JsonNode warn = om.readTree(lines.get(1));
        assertThat(warn.path("level").asText()).isEqualTo("WARN");
        assertThat(warn.path("throwable").path("message").asText()).isEqualTo("store down");
    }
}
