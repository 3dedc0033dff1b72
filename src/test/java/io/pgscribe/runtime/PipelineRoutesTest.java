package io.pgscribe.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelineRoutesTest {

    @Test
    void yamlFilesThePatternLeavesOutAreNamed(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("base.camel.yaml"), "[]");
        Files.writeString(dir.resolve("base.yaml"), "[]");
        Files.writeString(dir.resolve("mine.yml"), "[]");
        Files.writeString(dir.resolve("notes.txt"), "");
        assertThat(PipelineRoutes.skippedRouteFiles("file:" + dir + "/*.camel.yaml"))
                .containsExactly(dir.resolve("base.yaml"), dir.resolve("mine.yml"));
    }

    @Test
    void otherPatternsAndMissingDirectoriesNameNothing(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("base.yaml"), "[]");
        assertThat(PipelineRoutes.skippedRouteFiles("file:" + dir + "/*.yaml")).isEmpty();
        assertThat(PipelineRoutes.skippedRouteFiles("classpath:routes/*.camel.yaml")).isEmpty();
        assertThat(PipelineRoutes.skippedRouteFiles("file:" + dir.resolve("gone") + "/*.camel.yaml")).isEmpty();
    }

    @Test
    void thePipelinesAlertRoute() {
        assertThat(PipelineRoutes.alertEndpoint("orders.")).isEqualTo("direct:orders.pgscribe-alert");
        assertThat(PipelineRoutes.alertEndpoint("")).isEqualTo("direct:pgscribe-alert");
    }
}
