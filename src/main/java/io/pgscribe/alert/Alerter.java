package io.pgscribe.alert;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The alert route's bean (routes/alert.camel.yaml). Every route reports what it sees, as often as
 * it sees it; this bean turns that into one notification per rule and state change: when a
 * rule starts firing, when its severity changes, a reminder every {@code repeat} while it
 * fires, and RESOLVED when it clears. Each notification is logged, and sent to every channel
 * at or above {@code minSeverity}.
 */
public final class Alerter {

    private static final Logger LOG = LoggerFactory.getLogger("io.pgscribe.alert");
    public static final String HEADER_RULE = "pgscribeAlert";
    public static final String HEADER_STATE = "pgscribeAlertState";
    public static final String HEADER_SEVERITY = "pgscribeAlertSeverity";

    private record Active(Severity severity, Instant since, Instant lastSent) {
    }

    private final Channels channels;
    private final Duration repeat;
    private final Severity minSeverity;
    private final Clock clock;
    private final Map<String, Active> active = new HashMap<>();

    public Alerter(Channels channels, Duration repeat, Severity minSeverity, Clock clock) {
        this.channels = channels;
        this.repeat = repeat;
        this.minSeverity = minSeverity;
        this.clock = clock;
    }

    /** The notifications one reported event calls for (often none); logs what it decides. */
    public synchronized List<Notification> handle(Exchange exchange) {
        AlertEvent e = event(exchange.getMessage());
        Instant now = clock.instant();
        Active a = active.get(e.rule());
        String kind;
        if (e.resolved()) {
            if (a == null) {
                return List.of();
            }
            active.remove(e.rule());
            kind = "RESOLVED";
            LOG.warn("RESOLVED {}: {}", e.rule(), e.message());
            e = new AlertEvent(e.rule(), a.severity(), true, e.message(), null);
        } else if (a == null || a.severity() != e.severity()) {
            active.put(e.rule(), new Active(e.severity(), a == null ? now : a.since(), now));
            kind = "ALERT";
            LOG.error("ALERT {} ({}): {}{}", e.rule(), e.severity(), e.message(), e.hint() == null ? "" : " HINT: " + e.hint());
        } else if (!repeat.isZero() && !now.isBefore(a.lastSent().plus(repeat))) {
            active.put(e.rule(), new Active(a.severity(), a.since(), now));
            kind = "REMINDER";
            LOG.error("ALERT {} ({}) still firing since {}: {}", e.rule(), e.severity(), a.since(), e.message());
        } else {
            return List.of();
        }
        if (!e.severity().atLeast(minSeverity)) {
            return List.of();
        }
        return channels.notificationsFor(e, kind, now.toString());
    }

    /** Before a notification is sent: its endpoint, headers and body on the exchange. */
    public void prepare(Exchange exchange) {
        Notification n = exchange.getMessage().getBody(Notification.class);
        Message m = exchange.getMessage();
        m.getHeaders().clear();
        m.getHeaders().putAll(n.headers());
        m.setHeader("pgscribeEndpoint", n.endpointUri());
        m.setHeader("pgscribeChannel", n.channel());
        m.setBody(n.body());
    }

    /** Rules firing now, for status and health. */
    public synchronized Map<String, Severity> firing() {
        Map<String, Severity> out = new HashMap<>();
        active.forEach((k, v) -> out.put(k, v.severity()));
        return out;
    }

    private static AlertEvent event(Message m) {
        Object body = m.getBody();
        if (body instanceof AlertEvent e) {
            return e;
        }
        String rule = m.getHeader(HEADER_RULE, "alert", String.class);
        String text = m.getBody(String.class);
        String state = m.getHeader(HEADER_STATE, "firing", String.class);
        if ("resolved".equalsIgnoreCase(state)) {
            return AlertEvent.resolved(rule, text);
        }
        Severity s = Severity.valueOf(m.getHeader(HEADER_SEVERITY, "CRITICAL", String.class).toUpperCase(Locale.ROOT));
        String hint = null;
        int h = text == null ? -1 : text.indexOf(" HINT: ");
        if (h >= 0) {
            hint = text.substring(h + 7);
            text = text.substring(0, h);
        }
        return AlertEvent.firing(rule, s, text, hint);
    }
}
