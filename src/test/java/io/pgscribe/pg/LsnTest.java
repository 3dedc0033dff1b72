package io.pgscribe.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LsnTest {

    @Test
    void parsesAndPrintsThePostgresForm() {
        Lsn lsn = Lsn.valueOf("16/3002D50");
        assertThat(lsn.asLong()).isEqualTo(0x1603002D50L);
        assertThat(lsn.asString()).isEqualTo("16/3002D50");
        assertThat(lsn.asHex16()).isEqualTo("0000001603002D50");
        assertThat(Lsn.fromHex16("0000001603002D50")).isEqualTo(lsn);
    }

    @Test
    void comparesUnsigned() {
        Lsn high = Lsn.valueOf("FFFFFFFF/FFFFFFFF");
        Lsn low = Lsn.valueOf("0/1");
        assertThat(high).isGreaterThan(low);
        assertThat(high.isAfter(low)).isTrue();
        assertThat(low.isBefore(high)).isTrue();
        assertThat(Lsn.max(low, high)).isEqualTo(high);
    }

    @Test
    void rejectsWhatIsNotAnLsn() {
        assertThatThrownBy(() -> Lsn.valueOf("16")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Lsn.valueOf("1/2/3")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Lsn.valueOf("x/1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Lsn.valueOf("100000000/0")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Lsn.valueOf("-1/0")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Lsn.valueOf("0/-1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Lsn.valueOf("/1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Lsn.valueOf("1/")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Lsn.valueOf("1/ 2")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void textFormsAtTheEdgesMatchPostgresql() {
        assertThat(Lsn.valueOf("0/0").asString()).isEqualTo("0/0");
        assertThat(Lsn.valueOf("0/0").asHex16()).isEqualTo("0000000000000000");
        Lsn top = Lsn.valueOf("FFFFFFFF/FFFFFFFF");
        assertThat(top.asString()).isEqualTo("FFFFFFFF/FFFFFFFF");
        assertThat(top.asHex16()).isEqualTo("FFFFFFFFFFFFFFFF");
        assertThat(Lsn.fromHex16(top.asHex16())).isEqualTo(top);
        assertThat(Lsn.valueOf("8000ABC/1").asString()).isEqualTo("8000ABC/1");
        assertThat(Lsn.valueOf("80000000/A").asHex16()).isEqualTo("800000000000000A");
    }
}
