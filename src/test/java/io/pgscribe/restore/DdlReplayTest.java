package io.pgscribe.restore;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.ddl.DdlBlock;
import java.util.List;
import org.junit.jupiter.api.Test;

class DdlReplayTest {

    private static DdlBlock.Block block(boolean legacy) {
        return new DdlBlock.Block(new DdlBlock.Trace(41, "CREATE TABLE", "public.a", "app", false), "app",
                List.of("public"), "CREATE TABLE a ()", legacy);
    }

    private static DdlReplay replay(boolean allowLegacyDdl) {
        return new DdlReplay(null, null, new SessionPins(), RestoreScope.ALL, System.out, allowLegacyDdl);
    }

    @Test
    void aBlockOfAPgscribeBefore02IsRefusedUnlessTheOperatorAllowsIt() {
        assertThatThrownBy(() -> replay(false).refuseLegacy(block(true), "s1.sql"))
                .isInstanceOfSatisfying(PgscribeException.class, e -> org.assertj.core.api.Assertions
                        .assertThat(e.exitCode()).isEqualTo(ExitCode.REFUSED))
                .hasMessageContaining("segment s1.sql was written by a pgscribe older than 0.2")
                .hasMessageContaining("pgscribe.ddl_log id 41");
        assertThatCode(() -> replay(true).refuseLegacy(block(true), "s1.sql")).doesNotThrowAnyException();
        assertThatCode(() -> replay(false).refuseLegacy(block(false), "s1.sql")).doesNotThrowAnyException();
    }
}
