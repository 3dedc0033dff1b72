package io.pgscribe.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.pgscribe.pg.Pg;
import io.pgscribe.pg.PgServer;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The monitor and alert routes with real parts: a real SMTP server (GreenMail) and a real HTTP
 * server for the chat webhooks, the metrics endpoint scraped over HTTP, and status --json.
 */
@ExtendWith(PgClusterExtension.class)
class AlertsIT {

    private static final long CRITICAL_BYTES = 8L * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private static double metric(String scrape, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{[^}]*} ([-0-9.Ee+NaN]+)$").matcher(scrape);
        assertThat(m.find()).as(name + " in the scrape").isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void retainedWalRaisesOneCriticalAndOneResolvedEverywhere(PgServer cluster) throws Exception {
        GreenMail smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        smtp.start();
        ManagementEndpoint management = ManagementEndpoint.onFreePort();
        try (WebhookServer hooks = new WebhookServer()) {
            Map<String, String> s = new HashMap<>();
            s.put("pgscribe.monitor.interval-ms", "300");
            s.put("pgscribe.alert.retained-wal-warning", "0");
            s.put("pgscribe.alert.retained-wal-critical", String.valueOf(CRITICAL_BYTES));
            s.put("pgscribe.alert.retained-wal-emergency", "0");
            s.put("pgscribe.alert.capture-down-grace", "3600");
            s.put("pgscribe.alert.email.to", "oncall@example.com");
            s.put("pgscribe.alert.smtp.host", "127.0.0.1");
            s.put("pgscribe.alert.smtp.port", String.valueOf(smtp.getSmtp().getPort()));
            s.put("pgscribe.alert.smtp.tls", "none");
            s.put("pgscribe.alert.webhooks", "slack=" + hooks.url("/slack") + ",teams=" + hooks.url("/teams"));
            s.putAll(management.settings());
            try (Pipeline p = Pipeline.create(cluster, "watched", tmp.resolve("backup"), s)) {
                try (Connection c = p.connect()) {
                    Pg.execute(c, "CREATE TABLE t (id bigserial PRIMARY KEY, v text)");
                }
                p.init(ReplicaIdentityAudit.Mode.REFUSE);
                p.start();
                Monitor monitor = (Monitor) p.runtime().camelContext().getRegistry().lookupByName("monitor");
                try (Connection c = p.connect()) {
                    for (int i = 0; i < 20; i++) {
                        Pg.execute(c, "INSERT INTO t (v) SELECT repeat('w', 100) FROM generate_series(1, 200)");
                    }
                }
                p.fenceAndWait();
                await().atMost(Duration.ofSeconds(20)).until(() -> monitor.last() != null && monitor.healthy());

                // scraped over HTTP during the capture: the slot is read and retains little
                String scrape = management.get("/observe/metrics");
                assertThat(metric(scrape, "pg_replication_slot_slot_is_active")).isEqualTo(1.0);
                assertThat(metric(scrape, "pgscribe_capture_up")).isEqualTo(1.0);
                assertThat(metric(scrape, "pgscribe_slot_decoded_bytes")).as("pg_stat_replication_slots").isGreaterThan(0.0);
                assertThat(metric(scrape, "pgscribe_changes_written_total")).isGreaterThanOrEqualTo(4000.0);
                double retained = metric(scrape, "pgscribe_slot_retained_wal_bytes");
                assertThat(retained).isBetween(0.0, (double) CRITICAL_BYTES);
                assertThat(metric(scrape, "pg_replication_slot_slot_current_wal_lsn"))
                        .isGreaterThanOrEqualTo(metric(scrape, "pg_replication_slot_slot_confirmed_flush_lsn"));
                assertThat(scrape).contains("pg_replication_slot_wal_status{slot_name=\"pgscribe_watched\",slot_type=\"logical\","
                        + "wal_status=\"reserved\"} 1.0");
                assertThat(management.get("/observe/health")).contains("\"UP\"");
                // no authentication on it: by default only this machine reaches it
                assertThat(management.listensOn(java.net.InetAddress.getLoopbackAddress())).isTrue();
                ManagementEndpoint.nonLoopbackAddress().ifPresent(a -> assertThat(management.listensOn(a))
                        .as("the management port on " + a).isFalse());
                // the Grafana dashboard in docker/ asks only for metrics the runtime exports
                String dashboard = java.nio.file.Files.readString(Path.of("docker/grafana/pgscribe-dashboard.json"));
                Matcher names = Pattern.compile("\\b(pg_replication_slot_\\w+|pgscribe_\\w+)\\{").matcher(dashboard);
                int asked = 0;
                while (names.find()) {
                    asked++;
                    assertThat(scrape).as("dashboard metric " + names.group(1)).contains("\n" + names.group(1) + "{");
                }
                assertThat(asked).isGreaterThan(10);

                // the capture stops while the server writes WAL: CRITICAL, once, by email and both webhooks
                p.runtime().camelContext().getRouteController().stopRoute("capture-recvlogical");
                try (Connection c = Pg.connect(cluster.connection("postgres"), "test-wal")) {
                    Pg.execute(c, "CREATE TABLE IF NOT EXISTS filler (v text)");
                    Pg.execute(c, "INSERT INTO filler SELECT repeat(md5(g::text), 32) FROM generate_series(1, 12000) g");
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> smtp.getReceivedMessages().length >= 1);
                MimeMessage critical = smtp.getReceivedMessages()[0];
                assertThat(critical.getSubject()).startsWith("[pgscribe CRITICAL] retained-wal on watched");
                assertThat(critical.getAllRecipients()[0].toString()).isEqualTo("oncall@example.com");
                assertThat((String) critical.getContent()).contains("retains").contains("What to do:");
                await().atMost(Duration.ofSeconds(10)).until(() -> hooks.requests("/slack").size() == 1
                        && hooks.requests("/teams").size() == 1);
                JsonNode slack = JSON.readTree(hooks.requests("/slack").get(0).body());
                assertThat(slack.path("text").asText()).contains("[pgscribe CRITICAL] retained-wal").contains("What to do:");
                JsonNode teams = JSON.readTree(hooks.requests("/teams").get(0).body());
                assertThat(teams.path("type").asText()).isEqualTo("message");
                JsonNode card = teams.path("attachments").get(0);
                assertThat(card.path("contentType").asText()).isEqualTo("application/vnd.microsoft.card.adaptive");
                assertThat(card.path("content").path("body").get(0).path("text").asText())
                        .startsWith("[pgscribe CRITICAL] retained-wal");
                assertThat(hooks.requests("/teams").get(0).contentType()).startsWith("application/json");
                assertThat(monitor.healthy()).isFalse();
                assertThat(management.get("/observe/health")).contains("\"DOWN\"");

                // the capture comes back and catches up: RESOLVED, once
                p.runtime().camelContext().getRouteController().startRoute("capture-recvlogical");
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> {
                    try (Connection c = p.connect()) {
                        Pg.execute(c, "INSERT INTO t (v) VALUES ('tick')");
                        Pg.execute(c, "CHECKPOINT");
                    }
                    return smtp.getReceivedMessages().length >= 2;
                });
                assertThat(smtp.getReceivedMessages()[1].getSubject()).startsWith("[pgscribe RESOLVED] retained-wal on watched");
                await().atMost(Duration.ofSeconds(10)).until(() -> hooks.requests("/slack").size() == 2
                        && hooks.requests("/teams").size() == 2);
                assertThat(JSON.readTree(hooks.requests("/slack").get(1).body()).path("text").asText())
                        .contains("[pgscribe RESOLVED] retained-wal");
                // several more samples later, still exactly one of each
                Instant seen = monitor.last().at();
                await().atMost(Duration.ofSeconds(10)).until(() -> monitor.last().at().isAfter(seen.plusSeconds(2)));
                assertThat(smtp.getReceivedMessages()).hasSize(2);
                assertThat(hooks.requests("/slack")).hasSize(2);
                assertThat(hooks.requests("/teams")).hasSize(2);

                // a stopped capture, as status sees it from outside
                p.stop();
                Pipeline.Cli status = p.cli("status", "--json");
                assertThat(status.code()).as(status.out() + status.err()).isEqualTo(2);
                JsonNode st = JSON.readTree(status.out());
                assertThat(st.path("capture").path("up").asBoolean(true)).isFalse();
                assertThat(st.path("slot").path("exists").asBoolean()).isTrue();
                assertThat(st.path("slot").path("active").asBoolean(true)).isFalse();
                assertThat(st.path("severity").asText()).isEqualTo("CRITICAL");
                List<String> rules = Arrays.stream(JSON.treeToValue(st.path("findings"), JsonNode[].class))
                        .map(f -> f.path("rule").asText()).toList();
                assertThat(rules).contains(HealthRules.CAPTURE_DOWN);
                assertThat(st.path("segments").path("count").asLong()).isEqualTo(p.manifest().segments().size());
            }
        } finally {
            smtp.stop();
        }
    }
}
