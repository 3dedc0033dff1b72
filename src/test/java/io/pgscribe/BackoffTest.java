package io.pgscribe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void eachFailureWaitsTwiceTheLastUpToTheCeilingAndASuccessStartsAgain() {
        Backoff b = new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(60));
        assertThat(b.failed()).isEqualTo(Duration.ofSeconds(2));
        assertThat(b.failed()).isEqualTo(Duration.ofSeconds(4));
        assertThat(b.failed()).isEqualTo(Duration.ofSeconds(8));
        assertThat(b.failed()).isEqualTo(Duration.ofSeconds(16));
        assertThat(b.failed()).isEqualTo(Duration.ofSeconds(32));
        assertThat(b.failed()).isEqualTo(Duration.ofSeconds(60));
        assertThat(b.failed()).isEqualTo(Duration.ofSeconds(60));
        b.succeeded();
        assertThat(b.failed()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void manyFailuresNeverOverflow() {
        Backoff b = new Backoff(Duration.ofMillis(1), Duration.ofDays(1));
        Duration last = Duration.ZERO;
        for (int i = 0; i < 200; i++) {
            last = b.failed();
        }
        assertThat(last).isEqualTo(Duration.ofDays(1));
    }

    @Test
    void aCeilingBelowTheFirstWaitIsEveryWaitAndNoWaitIsRefused() {
        Backoff b = new Backoff(Duration.ofSeconds(5), Duration.ofSeconds(1));
        assertThat(b.failed()).isEqualTo(Duration.ofSeconds(1));
        assertThat(b.failed()).isEqualTo(Duration.ofSeconds(1));
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
    }
}
