package io.pgscribe.alert;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.Test;

/** The pipeline-errors policy of routes/errors.camel.yaml with this class, on a real Camel context. */
class RouteFailureAlertTest {

    record Reported(String rule, String state, String body) {
    }

    @Test
    void aFailedRunIsReportedAndTheNextGoodRunResolvesIt() throws Exception {
        List<Reported> reported = new CopyOnWriteArrayList<>();
        try (DefaultCamelContext ctx = new DefaultCamelContext()) {
            PluginHelper.getRoutesLoader(ctx).loadRoutes(ResourceHelper.resolveMandatoryResource(ctx,
                    "file:" + Path.of("routes/errors.camel.yaml").toAbsolutePath()));
            ctx.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:job").routeId("orders.prune").routeConfigurationId(RouteFailureAlert.CONFIGURATION)
                            .routePolicy(new RouteFailureAlert("direct:orders.pgscribe-alert", "prune"))
                            .process(e -> {
                                if ("fail".equals(e.getMessage().getBody(String.class))) {
                                    throw new IllegalStateException("No space left on device");
                                }
                            });
                    from("direct:orders.pgscribe-alert").process(e -> reported.add(new Reported(
                            e.getMessage().getHeader(Alerter.HEADER_RULE, String.class),
                            e.getMessage().getHeader(Alerter.HEADER_STATE, String.class),
                            e.getMessage().getBody(String.class))));
                }
            });
            ctx.start();
            ProducerTemplate p = ctx.createProducerTemplate();

            p.sendBody("direct:job", "ok");
            assertThat(reported).as("a good run with nothing failing reports nothing").isEmpty();

            Exchange failed = p.send("direct:job", e -> e.getMessage().setBody("fail"));
            assertThat(failed.getException()).as("the policy handles it: the scheduler is not told").isNull();
            assertThat(reported).containsExactly(new Reported("prune-failed", "firing",
                    "The prune route failed (it runs again at its next time): No space left on device"));

            p.sendBody("direct:job", "fail");
            assertThat(reported).hasSize(2).last().extracting(Reported::state).isEqualTo("firing");

            p.sendBody("direct:job", "ok");
            assertThat(reported).hasSize(3).last()
                    .isEqualTo(new Reported("prune-failed", "resolved", "The prune route ran again without error"));

            p.sendBody("direct:job", "ok");
            assertThat(reported).as("resolved once").hasSize(3);
        }
    }

    @Test
    void theRuleIsNamedAfterTheTemplate() {
        assertThat(RouteFailureAlert.rule("capture-heartbeat")).isEqualTo("capture-heartbeat-failed");
        assertThat(new RouteFailureAlert("direct:x", "base").rule()).isEqualTo("base-failed");
    }
}
