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
    @Test
    void aSetReadFromAnOlderCopyIsRefusedForTheLatestAndTakenForANamedTarget(@org.junit.jupiter.api.io.TempDir
                                                                             java.nio.file.Path set) throws Exception {
        io.pgscribe.manifest.ManifestStore store = new io.pgscribe.manifest.ManifestStore(set);
        store.save(new io.pgscribe.manifest.Manifest(io.pgscribe.manifest.Manifest.FORMAT, "test",
                new io.pgscribe.manifest.Manifest.Source("db", "1", "15", 150000, "UTF8"), "slot", "wal2json", List.of(), "now",
                List.of(), null, null, io.pgscribe.manifest.CaptureState.initial(List.of()), null));
        io.pgscribe.manifest.SetTrust unsigned = io.pgscribe.manifest.SetTrust.reader(null, true);
        java.io.ByteArrayOutputStream text = new java.io.ByteArrayOutputStream();
        java.io.PrintStream out = new java.io.PrintStream(text, true, java.nio.charset.StandardCharsets.UTF_8);
        java.nio.file.Path segments = java.nio.file.Files.createDirectories(set.resolve("segments"));
        java.nio.file.Files.writeString(segments.resolve("0000000002000000-20261201T010000Z.sql"), "x");
        RestoreRefusals.olderCopy(set, unsigned, RestoreTarget.LATEST, out); // manifest.json reads: nothing to say
        java.nio.file.Files.writeString(store.file(), "{");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RestoreRefusals.olderCopy(set, unsigned, RestoreTarget.LATEST, out))
                .isInstanceOf(PgscribeException.class).hasMessageContaining("0000000002000000-20261201T010000Z.sql")
                .hasMessageContaining("latest transaction cannot be restored")
                .satisfies(e -> assertThat(((PgscribeException) e).exitCode()).isEqualTo(ExitCode.DAMAGED));
        assertThat(text.toString()).isEmpty();
        RestoreRefusals.olderCopy(set, unsigned, RestoreTarget.lsn(io.pgscribe.pg.Lsn.valueOf("0/100"), true), out);
        assertThat(text.toString()).startsWith("WARNING: ").contains("the copy is older than the set");
    }
}
