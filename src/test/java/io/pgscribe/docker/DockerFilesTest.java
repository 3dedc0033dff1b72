package io.pgscribe.docker;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgscribe.config.Setting;
import io.pgscribe.config.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * What can be checked of docker/ without a Docker engine: the files the images copy exist, the
 * compose file and the entrypoint set only settings pgscribe knows, the healthcheck asks the
 * port and path the runtime serves, the entrypoint is valid shell.
 */
class DockerFilesTest {

    /** Variables the entrypoint and logging read that are not settings. */
    private static final Set<String> OWN = Set.of("PGSCRIBE_CONFIG", "PGSCRIBE_INIT_OPTIONS", "PGSCRIBE_LOG_FORMAT",
            "PGSCRIBE_LOG_LEVEL");

    private static Set<String> knownVariables() {
        Set<String> known = new HashSet<>(OWN);
        for (Setting s : Setting.values()) {
            known.add(s.environmentVariable());
        }
        return known;
    }

    private static Set<String> variables(String text) {
        Set<String> found = new HashSet<>();
        Matcher m = Pattern.compile("\\bPGSCRIBE_[A-Z0-9_]+").matcher(text);
        while (m.find()) {
            found.add(m.group());
        }
        return found;
    }

    @Test
    void theRuntimeImageCopiesFilesThatExistAndChecksTheHealthItServes() throws Exception {
        String dockerfile = Files.readString(Path.of("docker/pgscribe/Dockerfile"));
        Matcher copy = Pattern.compile("(?m)^COPY (?!--from)(\\S+) ").matcher(dockerfile);
        int copies = 0;
        while (copy.find()) {
            copies++;
            assertThat(Path.of(copy.group(1))).as("COPY " + copy.group(1)).exists();
        }
        assertThat(copies).isGreaterThanOrEqualTo(6);
        assertThat(variables(dockerfile)).isSubsetOf(knownVariables());

        Properties image = new Properties();
        try (var r = Files.newBufferedReader(Path.of("docker/pgscribe/application.properties"))) {
            image.load(r);
        }
        // every pgscribe.* key of the image's configuration is a setting (load refuses unknown ones)
        Settings s = Settings.load(Path.of("docker/pgscribe/application.properties"), Map.of(), Map.of(), new Properties());
        assertThat(s.get(Setting.BACKUP_DIR)).startsWith("/var/lib/pgscribe/");
        String port = image.getProperty("camel.management.port");
        assertThat(dockerfile).contains("EXPOSE " + port).contains("http://127.0.0.1:" + port + "/observe/health");
        assertThat(image.getProperty("camel.management.healthCheckEnabled")).isEqualTo("true");
        assertThat(image.getProperty("camel.main.routes-include-pattern")).isEqualTo("file:/etc/pgscribe/routes/*.camel.yaml");
        assertThat(dockerfile).contains("COPY routes /etc/pgscribe/routes");
        // the server image the compose file and the tests use
        String server = Files.readString(Path.of("docker/postgres/Dockerfile"));
        assertThat(server).contains("wal2json").contains("wal_level=logical");
        Matcher serverCopy = Pattern.compile("(?m)^COPY (\\S+) ").matcher(server);
        while (serverCopy.find()) {
            assertThat(Path.of("docker/postgres").resolve(serverCopy.group(1))).as("COPY " + serverCopy.group(1)).exists();
        }
        assertThat(server).contains("COPY allow-wal2json.sh /docker-entrypoint-initdb.d/");
    }

    @Test
    @SuppressWarnings("unchecked")
    void theComposeStackSetsOnlyKnownSettingsAndBuildsFromFilesThatExist() throws Exception {
        Map<String, Object> compose = (Map<String, Object>) new Load(LoadSettings.builder().build())
                .loadFromString(Files.readString(Path.of("docker/compose.yaml")));
        Map<String, Object> services = (Map<String, Object>) compose.get("services");
        assertThat(services).containsKeys("postgres", "minio", "mailpit", "pgscribe");
        Map<String, Object> pgscribe = (Map<String, Object>) services.get("pgscribe");
        Map<String, Object> env = (Map<String, Object>) pgscribe.get("environment");
        assertThat(env.keySet()).isSubsetOf(knownVariables());
        // what the stack configures is valid as settings
        Map<String, String> asSettings = new java.util.HashMap<>();
        for (Setting st : Setting.values()) {
            Object v = env.get(st.environmentVariable());
            if (v != null) {
                asSettings.put(st.environmentVariable(), v.toString());
            }
        }
        Settings s = Settings.load(null, Map.of(), asSettings, new Properties());
        assertThat(s.getBoolean(Setting.SHIP_ENABLED)).isTrue();
        assertThat(s.get(Setting.S3_ENDPOINT)).isEqualTo("http://minio:9000");
        assertThat(s.get(Setting.ALERT_SMTP_HOST)).isEqualTo("mailpit");
        io.pgscribe.alert.Channels.fromSettings(s, "compose");
        io.pgscribe.ship.S3Config.fromSettings(s);
        Map<String, Object> build = (Map<String, Object>) pgscribe.get("build");
        Path context = Path.of("docker").resolve((String) build.get("context")).normalize();
        assertThat(context.resolve((String) build.get("dockerfile"))).exists();
        assertThat(Path.of("docker").resolve((String) ((Map<String, Object>) services.get("postgres")).get("build"))
                .resolve("Dockerfile")).exists();
        // images are pinned
        for (Object svc : services.values()) {
            Object image = ((Map<String, Object>) svc).get("image");
            if (image != null) {
                assertThat(image.toString()).as("pinned image").contains(":").doesNotEndWith(":latest");
            }
        }
        assertThat(List.of(env.get("PGSCRIBE_INIT_OPTIONS").toString().split(" "))).allMatch(o -> o.startsWith("--replica-identity="));
    }

    @Test
    void theEntrypointIsValidShellAndReadsKnownVariables() throws Exception {
        Path entry = Path.of("docker/pgscribe/entrypoint.sh");
        assertThat(Files.isExecutable(entry)).isTrue();
        assertThat(variables(Files.readString(entry))).isSubsetOf(knownVariables());
        Process p = new ProcessBuilder("sh", "-n", entry.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(Files.readString(entry)).contains("exec java");
    }
}
