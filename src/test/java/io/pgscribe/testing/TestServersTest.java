package io.pgscribe.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TestServersTest {

    @Test
    void autoTakesDockerOnlyWhereAnEngineAnswers() {
        assertThat(TestServers.choose(null, () -> false)).isEqualTo(TestServers.Kind.LOCAL);
        assertThat(TestServers.choose("auto", () -> true)).isEqualTo(TestServers.Kind.DOCKER);
        assertThat(TestServers.choose(" Local ", () -> true)).isEqualTo(TestServers.Kind.LOCAL);
        assertThat(TestServers.choose("docker", () -> true)).isEqualTo(TestServers.Kind.DOCKER);
    }

    @Test
    void dockerAskedForWithoutAnEngineOrAnUnknownValueIsAClearError() {
        assertThatThrownBy(() -> TestServers.choose("docker", () -> false)).hasMessageContaining("no Docker engine answers")
                .hasMessageContaining("-Dpgscribe.test.server=local");
        assertThatThrownBy(() -> TestServers.choose("podman", () -> true)).hasMessageContaining("use local, docker or auto");
    }

    /** This machine's answer, whatever it is, comes back without throwing (the probe never breaks the suite). */
    @Test
    void theProbeAnswersTrueOrFalse() {
        boolean answers = TestServers.dockerAnswers();
        assertThat(TestServers.choose("auto", () -> answers)).isEqualTo(answers ? TestServers.Kind.DOCKER : TestServers.Kind.LOCAL);
    }
}
