package io.pgscribe.pg;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class XidsTest {

    @Test
    void newerIsComparedAroundTheWrap() {
        assertThat(Xids.isNewer(745, 744)).isTrue();
        assertThat(Xids.isNewer(744, 744)).isFalse();
        assertThat(Xids.isNewer(743, 744)).isFalse();
        // just after the wrap (the server skips 0-2, but the arithmetic does not care)
        assertThat(Xids.isNewer(3, 0xFFFFFFF0L)).isTrue();
        assertThat(Xids.isNewer(0xFFFFFFF0L, 3)).isFalse();
        // an epoch-carrying 64-bit value compares by its low 32 bits
        assertThat(Xids.isNewer((1L << 32) + 10, 9)).isTrue();
        // half the space ahead is the limit
        assertThat(Xids.isNewer(100 + (1L << 31) - 1, 100)).isTrue();
        assertThat(Xids.isNewer(100 + (1L << 31), 100)).isFalse();
    }
}
