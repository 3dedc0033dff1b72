package io.pgscribe.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PlainHttpTest {

    @Test
    void onlyPlainHttpOffThisMachineIsFlagged() {
        assertThat(PlainHttp.offLoopback("http://minio.internal:9000")).isTrue();
        assertThat(PlainHttp.offLoopback("HTTP://10.0.0.5/hook")).isTrue();
        assertThat(PlainHttp.offLoopback("https://minio.internal:9000")).isFalse();
        assertThat(PlainHttp.offLoopback("http://127.0.0.1:9000")).isFalse();
        assertThat(PlainHttp.offLoopback("http://localhost:8080/x")).isFalse();
        assertThat(PlainHttp.offLoopback("http://[::1]:9000")).isFalse();
        assertThat(PlainHttp.offLoopback("")).isFalse();
        assertThat(PlainHttp.offLoopback("not a url")).isFalse();
    }
}
