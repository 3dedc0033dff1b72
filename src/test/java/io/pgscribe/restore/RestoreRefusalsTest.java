package io.pgscribe.restore;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RestoreRefusalsTest {

    private static final List<RestoreScope.Name> KNOWN = List.of(new RestoreScope.Name("public", "orders"),
            new RestoreScope.Name("Sales", "Orders"), new RestoreScope.Name("audit", "log"));

    @Test
    void aScopeOfKnownTablesAndSchemasIsTaken() {
        RestoreScope scope = new RestoreScope(Set.of(new RestoreScope.Name("Sales", "Orders")), Set.of("audit"));
        assertThat(RestoreRefusals.unknownInScope(KNOWN, scope, "base.sql")).isNull();
    }

    @Test
    void aTypoIsRefusedWithTheNamesItMayHaveMeantQuoted() {
        RestoreScope scope = new RestoreScope(Set.of(new RestoreScope.Name("sales", "orders")), Set.of("AUDIT"));
        PgscribeException e = RestoreRefusals.unknownInScope(KNOWN, scope, "base.sql");
        assertThat(e).isNotNull();
        assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(e.getMessage()).contains("--only-table sales.orders", "--only-schema AUDIT", "base base.sql",
                "would bring back nothing");
        assertThat(e.hint()).contains("\"Sales\".\"Orders\" or \"public\".\"orders\" or \"audit\"?");
    }

    @Test
    void aNameLikeNothingGetsTheGeneralHint() {
        RestoreScope scope = new RestoreScope(Set.of(new RestoreScope.Name("public", "nosuch")), Set.of());
        assertThat(RestoreRefusals.unknownInScope(KNOWN, scope, "b").hint()).startsWith("Check the name");
    }
}
