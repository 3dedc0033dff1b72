package io.pgscribe.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BaseEntryTest {

    @Test
    void sidecarsAreTheMetadataThenTheChecksumsThatTheBaseHas() {
        BaseEntry both = new BaseEntry("base/a.sql", "plain", "0/1", "s", "t", 1, "aa", "base/a.meta.json", "mm",
                "base/a.checksums.json", "cc");
        assertThat(both.sidecars()).containsExactly(new BaseEntry.Sidecar("base/a.meta.json", "mm"),
                new BaseEntry.Sidecar("base/a.checksums.json", "cc"));
        BaseEntry metaOnly = new BaseEntry("base/b.sql", "plain", "0/1", "s", "t", 1, "bb", "base/b.meta.json", "mm");
        assertThat(metaOnly.sidecars()).containsExactly(new BaseEntry.Sidecar("base/b.meta.json", "mm"));
        assertThat(new BaseEntry("base/c.sql", "plain", "0/1", "s", "t", 1, "cc", null, null).sidecars()).isEmpty();
        // compressing the base keeps its sidecars as they are stored
        assertThat(both.compressed("base/a.sql.gz", "gzip", 1, "zz").sidecars()).isEqualTo(both.sidecars());
    }
}
