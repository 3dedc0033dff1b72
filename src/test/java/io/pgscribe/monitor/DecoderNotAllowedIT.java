package io.pgscribe.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.pgscribe.capture.RecvlogicalSupervisor;
import io.pgscribe.pg.LocalCluster;
import io.pgscribe.pg.OutputPluginAllowlist;
import io.pgscribe.pg.Pg;
import io.pgscribe.pg.ReplicaIdentityAudit;
import io.pgscribe.testing.ManagementEndpoint;
import io.pgscribe.testing.PgClusterExtension;
import io.pgscribe.testing.Pipeline;
import io.pgscribe.testing.WebhookServer;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's output_plugin_libraries changes under a running capture: an administrator takes
 * wal2json out of the list and reloads. The capture runs on (the plugin stays loaded) until
 * pg_recvlogical reconnects; from then on the server refuses it. pgscribe says so at once, by
 * email and webhook, in status and in the health check, and once the plugin is back the
 * capture resumes with nothing lost and nothing twice.
 */
@ExtendWith(PgClusterExtension.class)
class DecoderNotAllowedIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MONITOR_MS = 300;

    @TempDir
    Path tmp;

    private static List<String> subjects(GreenMail smtp) throws Exception {
        List<String> out = new java.util.ArrayList<>();
        for (MimeMessage m : smtp.getReceivedMessages()) {
            out.add(m.getSubject());
        }
        return out;
    }

    @Test
    void aRefusedDecoderIsAnEmergencyAtOnceAndResolvedOnceItIsAllowedAgain(LocalCluster cluster) throws Exception {
        Assumptions.assumeTrue(OutputPluginAllowlist.knownBy(cluster.binaries()),
                "the server binaries in " + cluster.binaries() + " predate output_plugin_libraries (15.19 and the releases "
                        + "of 2026-08-13)");
        GreenMail smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        smtp.start();
        ManagementEndpoint management = ManagementEndpoint.onFreePort();
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong inserted = new AtomicLong();
        try (WebhookServer hooks = new WebhookServer()) {
            Map<String, String> s = new HashMap<>();
            s.put("pgscribe.monitor.interval-ms", String.valueOf(MONITOR_MS));
            s.put("pgscribe.alert.capture-down-grace", "3600"); // the refusal must not wait for capture-down
            s.put("pgscribe.alert.email.to", "oncall@example.com");
            s.put("pgscribe.alert.smtp.host", "127.0.0.1");
            s.put("pgscribe.alert.smtp.port", String.valueOf(smtp.getSmtp().getPort()));
            s.put("pgscribe.alert.smtp.tls", "none");
            s.put("pgscribe.alert.webhooks", "slack=" + hooks.url("/slack"));
            s.putAll(management.settings());
            s.put("pgscribe.decoder", "wal2json"); // a plugin the server's default list leaves out
            try (Pipeline p = Pipeline.create(cluster, "allowed", tmp.resolve("backup"), s);
                 Connection admin = Pg.connect(cluster.connection("postgres"), "test-admin")) {
                try (Connection c = p.connect()) {
                    Pg.execute(c, "CREATE TABLE t (id bigserial PRIMARY KEY, v text)");
                }
                p.init(ReplicaIdentityAudit.Mode.REFUSE);
                p.start();
                Monitor monitor = (Monitor) p.runtime().camelContext().getRegistry().lookupByName("monitor");
                Thread workload = new Thread(() -> {
                    try (Connection c = p.connect()) {
                        while (writing.get()) {
                            Pg.execute(c, "INSERT INTO t (v) SELECT md5(g::text) FROM generate_series(1, 20) g");
                            inserted.addAndGet(20);
                            Thread.sleep(20);
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, "workload");
                workload.start();
                await().atMost(Duration.ofSeconds(30)).until(() -> inserted.get() > 200 && monitor.healthy());
                RecvlogicalSupervisor supervisor = p.runtime().recvlogical();

                // wal2json taken out of the list: the capture still runs, but the next reconnect will be refused
                Pg.execute(admin, "ALTER SYSTEM SET output_plugin_libraries = pgoutput, test_decoding");
                Pg.execute(admin, "SELECT pg_reload_conf()");
                await().atMost(Duration.ofSeconds(20)).until(() -> subjects(smtp).size() >= 1);
                assertThat(subjects(smtp).get(0)).startsWith("[pgscribe CRITICAL] decoder-not-allowed on allowed");
                assertThat(supervisor.process()).isPresent();

                // pg_recvlogical dies once; every start from now on is refused
                long pid = supervisor.process().orElseThrow().pid();
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                Instant killed = Instant.now();
                await().atMost(Duration.ofSeconds(20)).until(() -> supervisor.decoderRefusal().isPresent());
                Instant refused = Instant.now();
                await().atMost(Duration.ofSeconds(10)).until(() -> subjects(smtp).size() >= 2);
                Instant alerted = Instant.now();
                MimeMessage emergency = smtp.getReceivedMessages()[1];
                assertThat(emergency.getSubject()).startsWith("[pgscribe EMERGENCY] decoder-not-allowed on allowed");
                String body = (String) emergency.getContent();
                assertThat(body).contains("127.0.0.1:" + cluster.port()).contains("wal2json").contains("pgscribe_allowed")
                        .contains("ALTER SYSTEM SET output_plugin_libraries = pgoutput, test_decoding, wal2json; "
                                + "SELECT pg_reload_conf();");
                // within one monitor interval of the refusal (and a little for the mail), long before capture-down's grace
                assertThat(Duration.between(refused, alerted)).isLessThan(Duration.ofMillis(MONITOR_MS + 2000));
                assertThat(Duration.between(killed, alerted)).isLessThan(Duration.ofSeconds(15));
                await().atMost(Duration.ofSeconds(10)).until(() -> hooks.requests("/slack").stream()
                        .anyMatch(r -> r.body().contains("[pgscribe EMERGENCY] decoder-not-allowed")));
                assertThat(monitor.healthy()).isFalse();
                String health = management.get("/observe/health?exposureLevel=full");
                assertThat(health).contains("\"DOWN\"").contains("decoder-not-allowed");

                Pipeline.Cli status = p.cli("status", "--json");
                assertThat(status.code()).as(status.out() + status.err()).isEqualTo(2);
                JsonNode st = JSON.readTree(status.out());
                assertThat(st.path("severity").asText()).isEqualTo("EMERGENCY");
                JsonNode finding = Arrays.stream(JSON.treeToValue(st.path("findings"), JsonNode[].class))
                        .filter(f -> f.path("rule").asText().equals(HealthRules.DECODER_NOT_ALLOWED)).findFirst().orElseThrow();
                assertThat(finding.path("severity").asText()).isEqualTo("EMERGENCY");
                assertThat(finding.path("hint").asText()).contains("ALTER SYSTEM SET output_plugin_libraries = pgoutput, "
                        + "test_decoding, wal2json;");

                // the plugin back (the cluster's own configuration lists it): RESOLVED once, and capture resumes
                Pg.execute(admin, "ALTER SYSTEM RESET output_plugin_libraries");
                Pg.execute(admin, "SELECT pg_reload_conf()");
                await().atMost(Duration.ofSeconds(60)).until(() -> subjects(smtp).size() >= 3);
                assertThat(subjects(smtp).get(2)).startsWith("[pgscribe RESOLVED] decoder-not-allowed on allowed");
                await().atMost(Duration.ofSeconds(20)).until(monitor::healthy);
                writing.set(false);
                workload.join();
                p.fenceAndWait();
                Instant seen = monitor.last().at();
                await().atMost(Duration.ofSeconds(10)).until(() -> monitor.last().at().isAfter(seen.plusSeconds(2)));
                assertThat(subjects(smtp)).hasSize(3);
                p.stop();

                assertThat(p.transactionsEachOnce(p.manifest())).isGreaterThan(10);
                p.restore("allowed_restored");
                assertThat(p.verify("allowed_restored").same()).isTrue();
                try (Connection c = Pg.connect(cluster.connection("allowed_restored"), "test")) {
                    assertThat(Pg.string(c, "SELECT count(*)::text FROM t")).isEqualTo(String.valueOf(inserted.get()));
                }
            } finally {
                writing.set(false);
            }
        } finally {
            smtp.stop();
        }
    }
}
