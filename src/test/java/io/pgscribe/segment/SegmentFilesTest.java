package io.pgscribe.segment;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SegmentFilesTest {

    @Test
    void aStoredNameLosesItsEncryptionAndCompressionSuffixes() {
        assertThat(SegmentFiles.stem("0000000002000000-20261201T010000Z.sql.gz.gpg")).isEqualTo("0000000002000000-20261201T010000Z.sql");
        assertThat(SegmentFiles.stem("0000000002000000-20261201T010000Z.sql.zst")).isEqualTo("0000000002000000-20261201T010000Z.sql");
        assertThat(SegmentFiles.stem("0000000002000000-20261201T010000Z.sql.gpg")).isEqualTo("0000000002000000-20261201T010000Z.sql");
        assertThat(SegmentFiles.stem("0000000002000000-20261201T010000Z.sql.partial"))
                .isEqualTo("0000000002000000-20261201T010000Z.sql.partial");
    }
}
