package io.pgscribe.decode;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class DecoderPluginTest {

    @Test
    void pgoutputAsksForLogicalMessagesFromPostgres14On() {
        assertThat(DecoderPlugin.PGOUTPUT.options("set_a", 140000))
                .containsExactly("proto_version=1", "messages=true", "publication_names=set_a");
        assertThat(DecoderPlugin.PGOUTPUT.options("set_a", 180004))
                .contains("messages=true");
        // 13's pgoutput refuses the option
        assertThat(DecoderPlugin.PGOUTPUT.options("set_a", 130023))
                .containsExactly("proto_version=1", "publication_names=set_a");
    }

    @Test
    void aHeartbeatOutsideATransactionReachesEveryDecoderButPgoutputWithoutMessages() {
        assertThat(DecoderPlugin.PGOUTPUT.receivesMessagesOutsideTransactions(DecoderPlugin.PGOUTPUT.options("s", 150000))).isTrue();
        assertThat(DecoderPlugin.PGOUTPUT.receivesMessagesOutsideTransactions(DecoderPlugin.PGOUTPUT.options("s", 130000))).isFalse();
        assertThat(DecoderPlugin.WAL2JSON.receivesMessagesOutsideTransactions(DecoderPlugin.WAL2JSON.options("s", 130000))).isTrue();
        assertThat(DecoderPlugin.WAL2JSON.options("s", 130000)).doesNotContain("publication_names=s");
        assertThat(DecoderPlugin.DECODER_RAW.receivesMessagesOutsideTransactions(List.of())).isTrue();
    }
}
