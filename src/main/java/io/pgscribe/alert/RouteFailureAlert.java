package io.pgscribe.alert;

import io.pgscribe.ErrorText;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.Route;
import org.apache.camel.support.RoutePolicySupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The alert half of the pipeline-errors policy (routes/errors.camel.yaml), on each route that
 * uses it: a run that failed (its exception handled by that configuration) is reported to the
 * pipeline's alert route as {@code <template id>-failed}, CRITICAL, with the error as the
 * message; the next run that does not fail resolves it. One instance per route.
 */
public final class RouteFailureAlert extends RoutePolicySupport {

    public static final String CONFIGURATION = "pipeline-errors";
    private static final Logger LOG = LoggerFactory.getLogger("io.pgscribe.alert");

    private final String alertEndpoint;
    private final String rule;
    private final String task;
    private volatile boolean failing;
    private volatile ProducerTemplate producer;

    /** {@code alertEndpoint}: the pipeline's alert route; {@code templateId}: names the rule and the message. */
    public RouteFailureAlert(String alertEndpoint, String templateId) {
        this.alertEndpoint = alertEndpoint;
        this.rule = rule(templateId);
        this.task = templateId;
    }

    /** The rule a failure of the routes of {@code templateId} raises. */
    public static String rule(String templateId) {
        return templateId + "-failed";
    }

    public String rule() {
        return rule;
    }

    @Override
    public void onExchangeDone(Route route, Exchange exchange) {
        Throwable error = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (error == null) {
            error = exchange.getException();
        }
        if (error != null) {
            failing = true;
            send(route, "The " + task + " route failed (it runs again at its next time): " + message(error), "firing");
        } else if (failing) {
            failing = false;
            send(route, "The " + task + " route ran again without error", "resolved");
        }
    }

    private void send(Route route, String body, String state) {
        try {
            ProducerTemplate p = producer;
            if (p == null) {
                p = route.getCamelContext().createProducerTemplate();
                producer = p;
            }
            p.sendBodyAndHeaders(alertEndpoint, body, Map.of(Alerter.HEADER_RULE, rule, Alerter.HEADER_STATE, state));
        } catch (RuntimeException e) {
            // the route's own work is done; never let reporting it fail the route
            LOG.warn("Could not report {} ({}) to {}: {}", rule, state, alertEndpoint, e.getMessage());
        }
    }

    private static String message(Throwable e) {
        return ErrorText.withCause(e); // "cannot write manifest.json" alone does not say the disk is full
    }

    @Override
    protected void doStop() throws Exception {
        ProducerTemplate p = producer;
        producer = null;
        if (p != null) {
            p.stop();
        }
        super.doStop();
    }
}
