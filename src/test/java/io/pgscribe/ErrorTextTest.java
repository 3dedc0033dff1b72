package io.pgscribe;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import org.junit.jupiter.api.Test;

class ErrorTextTest {

    @Test
    void aWrapperIsFollowedByTheCauseAnOperatorActsOn() {
        Exception full = new UncheckedIOException("cannot write /b/manifest.json",
                new FileSystemException("/b/.manifest.json.tmp", null, "No space left on device"));
        assertThat(ErrorText.withCause(full))
                .isEqualTo("cannot write /b/manifest.json: No space left on device on /b/.manifest.json.tmp");
    }

    @Test
    void aMessageThatSaysItsCauseIsNotRepeated() {
        PgscribeException own = new PgscribeException("no backup set in /b", "init");
        assertThat(ErrorText.withCause(new RuntimeException(own.getMessage(), own))).isEqualTo("no backup set in /b");
        assertThat(ErrorText.withCause(new IllegalStateException())).isEqualTo("IllegalStateException");
    }
}
