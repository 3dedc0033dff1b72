package io.pgscribe.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgscribe.PgscribeException;
import io.pgscribe.config.Settings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AlerterTest {

    private final DefaultCamelContext camel = new DefaultCamelContext();
    private Instant now = Instant.parse("2026-12-01T10:00:00Z");
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };

    @AfterEach
    void close() throws Exception {
        camel.close();
    }

    private static Channels channels(String webhooks) {
        return Channels.fromSettings(settings(Map.of("pgscribe.alert.webhooks", webhooks)), "shop (slot pgscribe)");
    }

    /** Settings from these values and the defaults only (not this machine's environment). */
    private static Settings settings(Map<String, String> values) {
        return Settings.load(null, values, Map.of(), new java.util.Properties());
    }

    private List<Notification> send(Alerter a, AlertEvent e) {
        Exchange ex = new DefaultExchange(camel);
        ex.getMessage().setBody(e);
        return a.handle(ex);
    }

    private List<Notification> sendHeaders(Alerter a, String rule, String state, String body) {
        Exchange ex = new DefaultExchange(camel);
        ex.getMessage().setHeader(Alerter.HEADER_RULE, rule);
        if (state != null) {
            ex.getMessage().setHeader(Alerter.HEADER_STATE, state);
        }
        ex.getMessage().setBody(body);
        return a.handle(ex);
    }

    @Test
    void oneNotificationPerStateChangeWithRemindersAndOneResolved() {
        Alerter a = new Alerter(channels("json=http://127.0.0.1:1/hook"), Duration.ofMinutes(30), Severity.WARNING, clock);
        AlertEvent warn = AlertEvent.firing("retained-wal", Severity.WARNING, "retains 600 MB", "catch up");
        AlertEvent crit = AlertEvent.firing("retained-wal", Severity.CRITICAL, "retains 1.2 GB", "catch up");
        assertThat(send(a, warn)).hasSize(1);
        assertThat(send(a, warn)).as("same state: nothing").isEmpty();
        now = now.plusSeconds(60);
        assertThat(send(a, crit)).as("escalation").hasSize(1);
        now = now.plusSeconds(60);
        assertThat(send(a, crit)).isEmpty();
        now = now.plus(Duration.ofMinutes(30));
        List<Notification> reminder = send(a, crit);
        assertThat(reminder).hasSize(1);
        assertThat(reminder.get(0).body()).contains("\"kind\":\"REMINDER\"");
        assertThat(send(a, crit)).isEmpty();
        List<Notification> resolved = send(a, AlertEvent.resolved("retained-wal", "retains 10 MB again"));
        assertThat(resolved).hasSize(1);
        assertThat(resolved.get(0).body()).contains("\"state\":\"resolved\"");
        assertThat(send(a, AlertEvent.resolved("retained-wal", "retains 10 MB again"))).as("resolved twice: once").isEmpty();
        assertThat(a.firing()).isEmpty();
    }

    @Test
    void belowTheMinimumSeverityIsLoggedNotSent() {
        Alerter a = new Alerter(channels("json=http://127.0.0.1:1/hook"), Duration.ZERO, Severity.CRITICAL, clock);
        assertThat(send(a, AlertEvent.firing("retained-wal", Severity.WARNING, "600 MB", "x"))).isEmpty();
        assertThat(a.firing()).containsEntry("retained-wal", Severity.WARNING);
        assertThat(send(a, AlertEvent.firing("retained-wal", Severity.CRITICAL, "1.2 GB", "x"))).hasSize(1);
    }

    @Test
    void routeHeadersBecomeEventsWithTheirHint() throws Exception {
        Alerter a = new Alerter(channels("json=http://127.0.0.1:1/hook"), Duration.ZERO, Severity.WARNING, clock);
        List<Notification> n = sendHeaders(a, "ship-failing", null, "Shipping has failed since 10:00 HINT: Check the store.");
        JsonNode j = new ObjectMapper().readTree(n.get(0).body());
        assertThat(j.path("rule").asText()).isEqualTo("ship-failing");
        assertThat(j.path("severity").asText()).isEqualTo("CRITICAL");
        assertThat(j.path("message").asText()).isEqualTo("Shipping has failed since 10:00");
        assertThat(j.path("hint").asText()).isEqualTo("Check the store.");
        assertThat(sendHeaders(a, "ship-failing", "resolved", "works again")).hasSize(1);
    }

    @Test
    void eachChatFormatHasItsShapeAndEmailItsHeaders() throws Exception {
        Channels c = Channels.fromSettings(settings(Map.of(
                "pgscribe.alert.webhooks", "slack=https://hooks.example.com/a, mattermost=https://mm.example.com/b,"
                        + "teams=https://teams.example.com/c?sig=x%2Fy",
                "pgscribe.alert.email.to", "a@example.com,b@example.com",
                "pgscribe.alert.smtp.host", "smtp.example.com",
                "pgscribe.alert.smtp.user", "pg",
                "pgscribe.alert.smtp.password", "p(a)ss&word")), "shop");
        List<Notification> n = c.notificationsFor(AlertEvent.firing("wal-status", Severity.EMERGENCY, "lost", "init"), "ALERT",
                "t");
        assertThat(n).extracting(Notification::channel).containsExactly("email", "slack webhook", "mattermost webhook",
                "teams webhook");
        Notification mail = n.get(0);
        assertThat(mail.headers()).containsEntry("Subject", "[pgscribe EMERGENCY] wal-status on shop")
                .containsEntry("To", "a@example.com,b@example.com");
        assertThat(mail.endpointUri()).startsWith("smtp://smtp.example.com:587?").contains("password=RAW{p(a)ss&word}")
                .contains("mail.smtp.starttls.required=true").contains("mail.smtp.ssl.checkserveridentity=true");
        assertThat(mail.toString()).doesNotContain("word");
        ObjectMapper om = new ObjectMapper();
        assertThat(om.readTree(n.get(1).body()).path("text").asText()).startsWith("*[pgscribe EMERGENCY] wal-status on shop*");
        assertThat(om.readTree(n.get(2).body()).path("text").asText()).contains("What to do: init");
        JsonNode teams = om.readTree(n.get(3).body());
        assertThat(teams.at("/attachments/0/content/type").asText()).isEqualTo("AdaptiveCard");
        assertThat(teams.at("/attachments/0/content/body/0/color").asText()).isEqualTo("Attention");
        assertThat(n.get(3).headers()).containsEntry("CamelHttpUri", "https://teams.example.com/c?sig=x%2Fy");
    }

    @Test
    void badChannelSettingsAreRefusedWithTheFix() {
        assertThatThrownBy(() -> channels("hipchat=https://x")).isInstanceOf(PgscribeException.class)
                .hasMessageContaining("not FORMAT=URL").hasMessageContaining("hipchat=...");
        assertThatThrownBy(() -> Channels.fromSettings(settings(Map.of("pgscribe.alert.email.to", "a@b")), "x"))
                .isInstanceOf(PgscribeException.class).hasMessageContaining("pgscribe.alert.smtp.host is empty");
    }
}
