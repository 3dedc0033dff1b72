package io.pgscribe.decode;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RawInsertParserTest {

    @Test
    void touchesSchemaIsTheStatementsOwnTargetNotAMentionOfTheSchema() {
        assertThat(RawInsertParser.touchesSchema("INSERT INTO pgscribe.ddl_log (id) VALUES (1);", "pgscribe")).isTrue();
        assertThat(RawInsertParser.touchesSchema("  update PGSCRIBE.sequence_log SET id = 2;", "pgscribe")).isTrue();
        assertThat(RawInsertParser.touchesSchema("DELETE FROM pgscribe.x WHERE id = 1;", "pgscribe")).isTrue();
        assertThat(RawInsertParser.touchesSchema("TRUNCATE pgscribe.x;", "pgscribe")).isTrue();
        assertThat(RawInsertParser.touchesSchema("INSERT INTO public.t (v) VALUES ('INSERT INTO pgscribe.x');", "pgscribe"))
                .isFalse();
        assertThat(RawInsertParser.touchesSchema("INSERT INTO pgscribe_other.t (v) VALUES (1);", "pgscribe")).isFalse();
        assertThat(RawInsertParser.touchesSchema("INSERT INTO \"pgscribe\".t (v) VALUES (1);", "pgscribe")).isFalse();
    }
}
