package io.pgscribe.runtime;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.alert.RouteFailureAlert;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.RouteTemplateDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes every route template of {@code routes/} into routes, once per pipeline, once
 * camel-main has loaded them: route id {@code prefix + template id}, the pipeline's settings
 * as the template's placeholders (so {@code {{pgscribe.slot.name}}} is that pipeline's slot),
 * plus {@value #NAME} and {@value #PREFIX}.
 */
final class PipelineRoutes extends MainListenerSupport {

    /** The pipeline's name: the endpoint of pgscribe-spool and pgscribe-recvlogical, part of timer names. */
    static final String NAME = "pgscribe.pipeline.name";
    /** Put before bean names, route ids, direct: and seda: names: "orders." (empty with no pgscribe.databases). */
    static final String PREFIX = "pgscribe.pipeline.prefix";
    // pipeline i's routes start in the order their templates give (0-99), after pipeline i-1's
    static final int ORDER_STRIDE = 100;

    /** The pipeline's alert route (routes/alert.camel.yaml). */
    static String alertEndpoint(String prefix) {
        return "direct:" + prefix + "pgscribe-alert";
    }

    private static final Logger LOG = LoggerFactory.getLogger(PipelineRoutes.class);

    private final List<PgscribeRuntime.PipelineParts> pipelines;

    PipelineRoutes(List<PgscribeRuntime.PipelineParts> pipelines) {
        this.pipelines = pipelines;
    }

    /**
     * YAML files beside the route files that {@code pattern} leaves out: an older name
     * ({@code routes/base.yaml}) would otherwise be ignored without a word.
     */
    static List<Path> skippedRouteFiles(String pattern) {
        List<Path> out = new ArrayList<>();
        for (String entry : pattern.split(",")) {
            String e = entry.trim();
            String suffix = "/*.camel.yaml";
            if (!e.startsWith("file:") || !e.endsWith(suffix)) {
                continue;
            }
            Path dir = Path.of(e.substring("file:".length(), e.length() - suffix.length()));
            try (Stream<Path> files = Files.list(dir)) {
                files.filter(f -> {
                    String n = f.getFileName().toString();
                    return (n.endsWith(".yaml") || n.endsWith(".yml")) && !n.endsWith(".camel.yaml");
                }).sorted().forEach(out::add);
            } catch (IOException | UncheckedIOException notThere) {
                // camel-main reports a missing routes directory itself
            }
        }
        return out;
    }

    @Override
    public void afterConfigure(BaseMainSupport main) {
        CamelContext context = main.getCamelContext();
        ModelCamelContext model = (ModelCamelContext) context;
        String pattern = context.getPropertiesComponent().resolveProperty("camel.main.routes-include-pattern").orElse("");
        for (Path skipped : skippedRouteFiles(pattern)) {
            LOG.warn("{} is not loaded: route files are named *.camel.yaml (rename it to load it)", skipped);
        }
        List<RouteTemplateDefinition> templates = List.copyOf(model.getRouteTemplateDefinitions());
        if (templates.isEmpty()) {
            LOG.warn("The routes ({}) hold no route template: no pipeline route runs",
                    context.getPropertiesComponent().resolveProperty("camel.main.routes-include-pattern").orElse("?"));
        }
        for (int i = 0; i < pipelines.size(); i++) {
            PgscribeRuntime.PipelineParts p = pipelines.get(i);
            Map<String, Object> parameters = p.templateParameters();
            for (RouteTemplateDefinition t : templates) {
                Integer order = t.getRoute().getStartupOrder();
                if (order != null && (order < 0 || order >= ORDER_STRIDE)) {
                    throw new PgscribeException("route template " + t.getId() + " has startupOrder " + order,
                            "Give route templates a startupOrder from 0 to " + (ORDER_STRIDE - 1)
                                    + "; each pipeline's routes are ordered within their own block.", ExitCode.USAGE, null);
                }
                String routeId;
                try {
                    TemplatedRouteBuilder b = TemplatedRouteBuilder.builder(context, t.getId()).routeId(p.prefix() + t.getId());
                    parameters.forEach(b::parameter);
                    routeId = b.add();
                } catch (RuntimeException e) {
                    throw new PgscribeException("route template " + t.getId() + " cannot be made into a route of pipeline "
                            + p.name() + ": " + e.getMessage(), "Check the template in routes/.", ExitCode.USAGE, e);
                }
                RouteDefinition route = model.getRouteDefinition(routeId);
                if (order != null) {
                    route.setStartupOrder(i * ORDER_STRIDE + order);
                }
                if (RouteFailureAlert.CONFIGURATION.equals(route.getRouteConfigurationId())) {
                    route.routePolicy(new RouteFailureAlert(alertEndpoint(p.prefix()), t.getId()));
                }
            }
        }
    }
}
