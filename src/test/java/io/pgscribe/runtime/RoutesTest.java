package io.pgscribe.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.InputFormat;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.pgscribe.alert.RouteFailureAlert;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.camel.dsl.yaml.YamlRoutesBuilderLoader;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.RouteConfigurationDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.RouteTemplateDefinition;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every route file in routes/, without a server: valid against Camel's own YAML DSL schema,
 * loadable by Camel, and held to the project's conventions (ids, descriptions, error
 * policies, one concern per file, names that keep pipelines apart).
 */
class RoutesTest {

    static final Path ROUTES = Path.of("routes");
    static final String PREFIX = "{{pgscribe.pipeline.prefix}}";
    private static JsonSchema dslSchema;

    record Loaded(List<RouteTemplateDefinition> templates, List<RouteConfigurationDefinition> configurations,
                  Map<String, String> fileOfTemplate) {
    }

    @BeforeAll
    static void loadSchema() throws IOException {
        // the schema the Camel YAML DSL validator uses, from the camel-yaml-dsl jar itself
        try (InputStream in = YamlRoutesBuilderLoader.class.getResourceAsStream("/schema/camelYamlDsl.json")) {
            assertThat(in).as("camel-yaml-dsl ships schema/camelYamlDsl.json").isNotNull();
            dslSchema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(in);
        }
    }

    static List<Path> routeFiles() throws IOException {
        try (Stream<Path> s = Files.list(ROUTES)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }

    static List<String> schemaErrors(String yaml) {
        return dslSchema.validate(yaml, InputFormat.YAML).stream()
                .filter(m -> !placeholderForAScalar(m))
                .map(ValidationMessage::getMessage).toList();
    }

    /**
     * A whole-value placeholder ({@code autoStartup: "{{pgscribe.ship.enabled}}"}) where the
     * schema wants a boolean or a number: Camel resolves it before the type matters.
     */
    static boolean placeholderForAScalar(ValidationMessage m) {
        JsonNode n = m.getInstanceNode();
        return "type".equals(m.getType()) && n != null && n.isTextual() && n.asText().matches("\\{\\{[^{}]+}}");
    }

    static Loaded load(List<Path> files) throws Exception {
        Map<String, String> fileOf = new HashMap<>();
        try (DefaultCamelContext ctx = new DefaultCamelContext()) {
            for (Path f : files) {
                int before = ctx.getRouteTemplateDefinitions().size();
                Resource r = ResourceHelper.resolveMandatoryResource(ctx, "file:" + f.toAbsolutePath());
                PluginHelper.getRoutesLoader(ctx).loadRoutes(r);
                ctx.getRouteTemplateDefinitions().subList(before, ctx.getRouteTemplateDefinitions().size())
                        .forEach(t -> fileOf.put(t.getId(), f.getFileName().toString()));
            }
            return new Loaded(List.copyOf(ctx.getRouteTemplateDefinitions()),
                    List.copyOf(ctx.getRouteConfigurationDefinitions()), fileOf);
        }
    }

    @Test
    void everyFileIsNamedCamelYaml() throws IOException {
        assertThat(routeFiles()).isNotEmpty()
                .allSatisfy(f -> assertThat(f.getFileName().toString()).endsWith(".camel.yaml"));
    }

    @Test
    void everyFileIsValidCamelYamlDsl() throws IOException {
        for (Path f : routeFiles()) {
            assertThat(schemaErrors(Files.readString(f))).as(f.toString()).isEmpty();
        }
    }

    @Test
    void theSchemaCheckSeesAMistake() {
        // a misspelt key is what the validator is there for: prove it is caught
        assertThat(schemaErrors("""
                - routeTemplate:
                    id: x
                    route:
                      from:
                        uri: timer:x
                        steps:
                          - bean:
                              ref: y
                              methd: z
                """)).isNotEmpty();
    }

    @Test
    void everyTemplateHasAnIdADescriptionAnErrorPolicyAndAnOrder() throws Exception {
        Loaded l = load(routeFiles());
        Set<String> configurations = new TreeSet<>();
        l.configurations().forEach(c -> configurations.add(c.getId()));
        assertThat(l.templates()).isNotEmpty();
        for (RouteTemplateDefinition t : l.templates()) {
            RouteDefinition r = t.getRoute();
            assertThat(t.getId()).as("template id").isNotBlank();
            assertThat(r.getDescription()).as(t.getId() + " description").isNotBlank();
            assertThat(r.getRouteConfigurationId()).as(t.getId() + " error policy").isIn(configurations);
            assertThat(r.getStartupOrder()).as(t.getId() + " startupOrder").isNotNull()
                    .isBetween(0, PipelineRoutes.ORDER_STRIDE - 1);
        }
        assertThat(l.templates().stream().map(RouteTemplateDefinition::getId).distinct().count())
                .as("template ids are unique across files").isEqualTo(l.templates().size());
    }

    @Test
    void everyErrorPolicyHasAnIdADescriptionAndCatchesEveryException() throws Exception {
        Loaded l = load(routeFiles());
        assertThat(l.configurations()).extracting(RouteConfigurationDefinition::getId)
                .contains(RouteFailureAlert.CONFIGURATION, "capture-errors");
        for (RouteConfigurationDefinition c : l.configurations()) {
            assertThat(c.getId()).endsWith("-errors");
            assertThat(c.getDescription()).as(c.getId() + " description").isNotBlank();
            assertThat(c.getOnExceptions()).as(c.getId() + " onException").isNotEmpty()
                    .anySatisfy(o -> assertThat(o.getExceptions()).contains("java.lang.Exception"));
        }
    }

    @Test
    void scheduledRoutesReportFailuresToTheAlertRoute() throws Exception {
        // what must alert when it fails: the pipeline-errors policy reports <template>-failed
        Loaded l = load(routeFiles());
        Map<String, String> policy = new HashMap<>();
        l.templates().forEach(t -> policy.put(t.getId(), t.getRoute().getRouteConfigurationId()));
        for (String t : List.of("base", "globals", "prune", "compress", "monitor", "ship", "capture-heartbeat",
                "capture-sequences", "capture-publication")) {
            assertThat(policy.get(t)).as(t).isEqualTo(RouteFailureAlert.CONFIGURATION);
        }
    }

    @Test
    void oneConcernPerFile() throws Exception {
        Loaded l = load(routeFiles());
        l.fileOfTemplate().forEach((template, file) -> {
            String concern = file.substring(0, file.length() - ".camel.yaml".length());
            assertThat(template.equals(concern) || template.startsWith(concern + "-"))
                    .as(template + " lives in " + concern + ".camel.yaml or a file of its own").isTrue();
        });
    }

    @Test
    void pipelinesNeverShareAnEndpointOrABean() throws IOException {
        YAMLMapper yaml = new YAMLMapper();
        List<String> bad = new ArrayList<>();
        for (Path f : routeFiles()) {
            walk(yaml.readTree(Files.readString(f)), f.getFileName() + "", bad);
        }
        assertThat(bad).isEmpty();
    }

    @Test
    void theNameCheckSeesASharedEndpoint() throws IOException {
        List<String> bad = new ArrayList<>();
        walk(new YAMLMapper().readTree("""
                - routeTemplate:
                    id: x
                    route:
                      from:
                        uri: timer:shared
                        steps:
                          - to: direct:{{pgscribe.pipeline.prefix}}ok
                          - bean:
                              ref: sharedBean
                """), "inline", bad);
        assertThat(bad).hasSize(2);
    }

    /** Endpoints a pipeline owns (direct, seda, timer) and bean references carry the pipeline's prefix. */
    static void walk(JsonNode n, String where, List<String> bad) {
        if (n.isObject()) {
            for (Map.Entry<String, JsonNode> e : n.properties()) {
                JsonNode v = e.getValue();
                if (v.isTextual()) {
                    String s = v.asText();
                    boolean endpoint = s.startsWith("direct:") || s.startsWith("seda:") || s.startsWith("timer:");
                    boolean beanRef = e.getKey().equals("ref") || s.startsWith("#");
                    if ((endpoint && !s.contains(":" + PREFIX)) || (beanRef && !s.startsWith(PREFIX)
                            && !s.startsWith("#" + PREFIX))) {
                        bad.add(where + ": " + e.getKey() + ": " + s);
                    }
                }
                walk(v, where, bad);
            }
        } else if (n.isArray()) {
            n.forEach(c -> walk(c, where, bad));
        }
    }
}
