package io.pgscribe.alert;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.config.Setting;
import io.pgscribe.config.Settings;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where alerts go: email over SMTP (camel-mail) and chat webhooks over HTTP (camel-http), each
 * webhook in its service's payload format. Built from {@code pgscribe.alert.*}.
 */
public final class Channels {

    /** The webhook payload formats. */
    public enum Format { SLACK, MATTERMOST, TEAMS, JSON }

    record Webhook(Format format, String url) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> emailTo;
    private final String emailFrom;
    private final String smtpUri;
    private final List<Webhook> webhooks;
    private final String source;

    Channels(List<String> emailTo, String emailFrom, String smtpUri, List<Webhook> webhooks, String source) {
        this.emailTo = emailTo;
        this.emailFrom = emailFrom;
        this.smtpUri = smtpUri;
        this.webhooks = webhooks;
        this.source = source;
    }

    public static Channels fromSettings(Settings s, String source) {
        List<String> to = split(s.get(Setting.ALERT_EMAIL_TO));
        String smtp = null;
        if (!to.isEmpty()) {
            String host = s.get(Setting.ALERT_SMTP_HOST).strip();
            if (host.isEmpty()) {
                throw new PgscribeException("pgscribe.alert.email.to is set but pgscribe.alert.smtp.host is empty",
                        "Set pgscribe.alert.smtp.host (and .port, .user, PGSCRIBE_ALERT_SMTP_PASSWORD).", ExitCode.USAGE, null);
            }
            String tls = s.get(Setting.ALERT_SMTP_TLS).strip().toLowerCase(Locale.ROOT);
            if (!List.of("starttls", "tls", "none").contains(tls)) {
                throw new PgscribeException("pgscribe.alert.smtp.tls is \"" + tls + "\"", "Use starttls, tls or none.",
                        ExitCode.USAGE, null);
            }
            StringBuilder uri = new StringBuilder(tls.equals("tls") ? "smtps://" : "smtp://").append(host).append(':')
                    .append(s.getInt(Setting.ALERT_SMTP_PORT)).append("?contentType=text/plain;charset=UTF-8");
            String user = s.get(Setting.ALERT_SMTP_USER).strip();
            if (!user.isEmpty()) {
                uri.append("&username=").append(raw(user)).append("&password=").append(raw(s.get(Setting.ALERT_SMTP_PASSWORD)));
            }
            if (tls.equals("starttls")) {
                uri.append("&mail.smtp.starttls.enable=true&mail.smtp.starttls.required=true");
            }
            // a certificate that does not name the host is refused: else anyone on the path could take the mail and password
            uri.append(tls.equals("tls") ? "&mail.smtps.ssl.checkserveridentity=true" : "&mail.smtp.ssl.checkserveridentity=true");
            smtp = uri.toString();
        }
        List<Webhook> hooks = new ArrayList<>();
        for (String item : split(s.get(Setting.ALERT_WEBHOOKS))) {
            int eq = item.indexOf('=');
            Format f = null;
            if (eq > 0) {
                try {
                    f = Format.valueOf(item.substring(0, eq).strip().toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    f = null;
                }
            }
            String url = eq > 0 ? item.substring(eq + 1).strip() : "";
            if (f == null || !(url.startsWith("http://") || url.startsWith("https://"))) {
                throw new PgscribeException("pgscribe.alert.webhooks has an entry that is not FORMAT=URL: \""
                        + (eq > 0 ? item.substring(0, eq) + "=..." : item) + "\"",
                        "Write each as slack=https://..., mattermost=..., teams=... or json=..., comma-separated.",
                        ExitCode.USAGE, null);
            }
            URI.create(url);
            hooks.add(new Webhook(f, url));
        }
        return new Channels(to, s.get(Setting.ALERT_EMAIL_FROM).strip(), smtp, hooks, source);
    }

    public boolean any() {
        return smtpUri != null || !webhooks.isEmpty();
    }

    /** One notification per channel for {@code e}; {@code kind}: ALERT, REMINDER or RESOLVED. */
    List<Notification> notificationsFor(AlertEvent e, String kind, String at) {
        List<Notification> out = new ArrayList<>();
        String title = "[pgscribe " + (kind.equals("RESOLVED") ? "RESOLVED" : e.severity().name()) + "] " + e.rule() + " on "
                + source + (kind.equals("REMINDER") ? " (still firing)" : "");
        String text = e.message() + (e.hint() == null ? "" : "\nWhat to do: " + e.hint());
        if (smtpUri != null) {
            Map<String, Object> h = new LinkedHashMap<>();
            h.put("Subject", title);
            h.put("To", String.join(",", emailTo));
            h.put("From", emailFrom);
            out.add(new Notification("email", smtpUri, h, text + "\n\n" + source + ", " + at + "\n"));
        }
        for (Webhook w : webhooks) {
            Map<String, Object> h = new LinkedHashMap<>();
            h.put("CamelHttpMethod", "POST");
            h.put("Content-Type", "application/json");
            h.put("CamelHttpUri", w.url());
            out.add(new Notification(w.format().name().toLowerCase(Locale.ROOT) + " webhook", "http:pgscribe-webhook", h,
                    payload(w.format(), e, kind, title, text, at)));
        }
        return out;
    }

    String payload(Format f, AlertEvent e, String kind, String title, String text, String at) {
        ObjectNode root = JSON.createObjectNode();
        switch (f) {
            case SLACK, MATTERMOST -> {
                // both take Slack's incoming-webhook form
                root.put("text", "*" + title + "*\n" + text);
                root.put("username", "pgscribe");
            }
            case TEAMS -> {
                // a Workflows webhook ("when a Teams webhook request is received") with an Adaptive Card
                root.put("type", "message");
                ArrayNode atts = root.putArray("attachments");
                ObjectNode att = atts.addObject();
                att.put("contentType", "application/vnd.microsoft.card.adaptive");
                ObjectNode card = att.putObject("content");
                card.put("$schema", "http://adaptivecards.io/schemas/adaptive-card.json");
                card.put("type", "AdaptiveCard");
                card.put("version", "1.4");
                ArrayNode body = card.putArray("body");
                ObjectNode head = body.addObject();
                head.put("type", "TextBlock");
                head.put("text", title);
                head.put("weight", "Bolder");
                head.put("wrap", true);
                head.put("color", kind.equals("RESOLVED") ? "Good" : e.severity().atLeast(io.pgscribe.alert.Severity.CRITICAL)
                        ? "Attention" : "Warning");
                ObjectNode msg = body.addObject();
                msg.put("type", "TextBlock");
                msg.put("text", text);
                msg.put("wrap", true);
            }
            case JSON -> {
                root.put("source", source);
                root.put("rule", e.rule());
                root.put("state", kind.equals("RESOLVED") ? "resolved" : "firing");
                root.put("kind", kind);
                root.put("severity", kind.equals("RESOLVED") ? "OK" : e.severity().name());
                root.put("message", e.message());
                if (e.hint() != null) {
                    root.put("hint", e.hint());
                }
                root.put("at", at);
            }
        }
        try {
            return JSON.writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** A URI option value taken as it is (Camel's RAW), whatever characters it holds. */
    private static String raw(String v) {
        return v.contains(")") ? "RAW{" + v + "}" : "RAW(" + v + ")";
    }

    private static List<String> split(String list) {
        List<String> out = new ArrayList<>();
        for (String p : list.split(",")) {
            if (!p.isBlank()) {
                out.add(p.strip());
            }
        }
        return out;
    }
}
