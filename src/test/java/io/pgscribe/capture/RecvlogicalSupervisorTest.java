package io.pgscribe.capture;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RecvlogicalSupervisorTest {

    @Test
    void theServersSentenceIsTakenOutOfPgRecvlogicalsStandardError() {
        String stderr = """
                pg_recvlogical: error: could not send replication command "START_REPLICATION SLOT "s1" LOGICAL 0/0": \
                ERROR:  library "wal2json" may not be used as an output plugin
                HINT:  If it is safe for all REPLICATION users to use this library as an output plugin, add it to \
                "output_plugin_libraries" and reload the server configuration.
                pg_recvlogical: error: disconnected""";
        assertThat(RecvlogicalSupervisor.refusalText(stderr)).isEqualTo("library \"wal2json\" may not be used as an output plugin");
        assertThat(RecvlogicalSupervisor.refusalText("something else")).isEqualTo("something else");
    }

    @Test
    void aPublicationTheServerCannotFindIsNamed() {
        String stderr = "pg_recvlogical: error: unexpected termination of replication stream: ERROR:  publication "
                + "\"pgscribe_shop\" does not exist\nCONTEXT:  slot \"pgscribe_shop\", output plugin \"pgoutput\", in the "
                + "change callback, associated LSN 0/2242D10\npg_recvlogical: disconnected";
        assertThat(RecvlogicalSupervisor.missingPublication(stderr)).isEqualTo("pgscribe_shop");
        assertThat(RecvlogicalSupervisor.missingPublication("publication \"a\"\"b\" does not exist")).isEqualTo("a\"\"b");
        assertThat(RecvlogicalSupervisor.missingPublication("pg_recvlogical: error: could not connect")).isNull();
        assertThat(RecvlogicalSupervisor.missingPublication(null)).isNull();
    }

    @Test
    void theErrorLineIsTheCauseNotTheDisconnectThatFollowsIt() {
        String full = "pg_recvlogical: error: could not write 21 bytes to log file \"/b/spool/current\": No space left on device\n"
                + "pg_recvlogical: error: disconnected\n";
        assertThat(RecvlogicalSupervisor.errorLine(full)).isEqualTo("pg_recvlogical: error: could not write 21 bytes to "
                + "log file \"/b/spool/current\": No space left on device");
        assertThat(RecvlogicalSupervisor.errorLine("pg_recvlogical: error: disconnected")).isEqualTo(
                "pg_recvlogical: error: disconnected");
        assertThat(RecvlogicalSupervisor.errorLine("Could not run: no such file\n")).isEqualTo("Could not run: no such file");
        assertThat(RecvlogicalSupervisor.errorLine("  ")).isNull();
        assertThat(RecvlogicalSupervisor.errorLine(null)).isNull();
    }
}
