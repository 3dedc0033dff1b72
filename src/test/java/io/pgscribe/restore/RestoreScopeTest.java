package io.pgscribe.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RestoreScopeTest {

    @Test
    void aTableIsReadAsSqlWritesIt() {
        assertThat(RestoreScope.parseTable("Orders")).isEqualTo(new RestoreScope.Name("public", "orders"));
        assertThat(RestoreScope.parseTable("\"Mixed Case\".\"Odd \"\"Table\"")).isEqualTo(new RestoreScope.Name("Mixed Case", "Odd \"Table"));
        assertThat(RestoreScope.parseTable("\"a.b\".c")).isEqualTo(new RestoreScope.Name("a.b", "c"));
    }

    @Test
    void anEmptyOrUnclosedQuotedNameIsRefused() {
        assertThatThrownBy(() -> RestoreScope.parseTable("\"unclosed.t")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RestoreScope.parseTable("\"\".t")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RestoreScope.parseTable("a.b.c")).isInstanceOf(IllegalArgumentException.class);
    }
}
