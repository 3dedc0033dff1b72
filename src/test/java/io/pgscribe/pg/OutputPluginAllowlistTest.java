package io.pgscribe.pg;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class OutputPluginAllowlistTest {

    @Test
    void theSettingIsSplitAsTheServerSplitsIt() {
        // as SHOW prints it after ALTER SYSTEM SET output_plugin_libraries = pgoutput, test_decoding, wal2json
        assertThat(OutputPluginAllowlist.parse("pgoutput, test_decoding, wal2json").libraries())
                .containsExactly("pgoutput", "test_decoding", "wal2json");
        // unquoted names fold to lower case, quoted ones stay as written, "" is a quote
        assertThat(OutputPluginAllowlist.parse(" PgOutput ,\"WAL2JSON\",\"a\"\"b\"").libraries())
                .containsExactly("pgoutput", "WAL2JSON", "a\"b");
        assertThat(OutputPluginAllowlist.parse("").libraries()).isEmpty();
    }

    @Test
    void theQuotedFormIsOneNameThatAllowsNothing() {
        // SHOW after ALTER SYSTEM SET output_plugin_libraries = 'pgoutput, test_decoding, wal2json' (measured on 15.20)
        OutputPluginAllowlist l = OutputPluginAllowlist.parse("\"pgoutput, test_decoding, wal2json\"");
        assertThat(l.libraries()).containsExactly("pgoutput, test_decoding, wal2json");
        assertThat(l.allows("wal2json")).isFalse();
        assertThat(l.allows("pgoutput")).isFalse();
    }

    @Test
    void theFixKeepsTheListAndAddsThePluginInTheListForm() {
        OutputPluginAllowlist l = OutputPluginAllowlist.parse("pgoutput, test_decoding, \"My Plugin\"");
        assertThat(l.allows("wal2json")).isFalse();
        assertThat(l.fixFor("wal2json")).isEqualTo(
                "ALTER SYSTEM SET output_plugin_libraries = pgoutput, test_decoding, \"My Plugin\", wal2json; SELECT pg_reload_conf();");
        assertThat(l.with("pgoutput")).isSameAs(l);
        assertThat(OutputPluginAllowlist.SERVER_DEFAULT.with("wal2json").configurationLine())
                .isEqualTo("output_plugin_libraries = 'pgoutput, test_decoding, wal2json'");
        // what the fix writes reads back as the list it meant
        assertThat(OutputPluginAllowlist.parse(l.with("wal2json").toString()).libraries())
                .containsExactly("pgoutput", "test_decoding", "My Plugin", "wal2json");
    }

    @Test
    void theServersRefusalIsRecognised() {
        assertThat(OutputPluginAllowlist.isRefusal("pg_recvlogical: error: could not send replication command "
                + "\"START_REPLICATION SLOT \"s1\" LOGICAL 0/0\": ERROR:  library \"wal2json\" may not be used as an output plugin"))
                .isTrue();
        assertThat(OutputPluginAllowlist.isRefusal("pg_recvlogical: error: could not connect to server: Connection refused"))
                .isFalse();
        assertThat(OutputPluginAllowlist.isRefusal(null)).isFalse();
    }

    @Test
    void theBinariesOnThisMachineSayWhetherTheyKnowTheParameter() {
        // 15.19 and later know it; the answer comes from postgres --describe-config, and is the same when asked again
        boolean known = OutputPluginAllowlist.knownBy(LocalCluster.serverBinaries());
        String version = io.pgscribe.pg.PgTools.run(List.of(LocalCluster.serverBinaries().resolve("postgres").toString(),
                "--version"), java.util.Map.of(), java.time.Duration.ofSeconds(30)).stdout();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)\\.(\\d+)").matcher(version);
        assertThat(m.find()).as(version).isTrue();
        int major = Integer.parseInt(m.group(1));
        int minor = Integer.parseInt(m.group(2));
        // the releases of 2026-08-13: 14.24, 15.19, 16.15, 17.11, 18.6
        int firstMinor = switch (major) {
            case 14 -> 24;
            case 15 -> 19;
            case 16 -> 15;
            case 17 -> 11;
            case 18 -> 6;
            default -> major > 18 ? 0 : Integer.MAX_VALUE;
        };
        assertThat(known).as(version).isEqualTo(minor >= firstMinor);
        assertThat(OutputPluginAllowlist.knownBy(LocalCluster.serverBinaries())).isEqualTo(known);
    }
}
