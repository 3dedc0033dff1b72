package io.pgscribe.sql;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SqlTextTest {

    @Test
    void identifiersAreAlwaysQuoted() {
        assertThat(SqlText.identifier("users")).isEqualTo("\"users\"");
        assertThat(SqlText.identifier("Odd \"Name\"")).isEqualTo("\"Odd \"\"Name\"\"\"");
        assertThat(SqlText.identifier("\"")).isEqualTo("\"\"\"\"");
        assertThat(SqlText.identifier("a\"\"b\"")).isEqualTo("\"a\"\"\"\"b\"\"\"");
        assertThat(SqlText.identifier("")).isEqualTo("\"\"");
        assertThat(SqlText.qualified("Mixed Case", "Odd Table")).isEqualTo("\"Mixed Case\".\"Odd Table\"");
    }

    @Test
    void literalsDoubleQuotesAndKeepBackslashes() {
        assertThat(SqlText.literal("it's")).isEqualTo("'it''s'");
        assertThat(SqlText.literal("C:\\dir\\")).isEqualTo("'C:\\dir\\'");
        assertThat(SqlText.literal("")).isEqualTo("''");
        assertThat(SqlText.literal("''")).isEqualTo("''''''");
    }
}
