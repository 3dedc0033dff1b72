package io.pgscribe.sql;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DumpIdentifierTest {

    @Test
    void aQuotedNameIsReadWithItsDoubledQuotesAndAnythingElseInside() {
        int[] at = {0};
        assertThat(DumpIdentifier.read("\"a\"\"b;\n\t--\".rest", at)).isEqualTo("a\"b;\n\t--");
        assertThat(at[0]).isEqualTo(11);
    }

    @Test
    void aBareNameIsLowerCaseLettersDigitsAndUnderscores() {
        int[] at = {0};
        assertThat(DumpIdentifier.read("ab_1 x", at)).isEqualTo("ab_1");
        assertThat(at[0]).isEqualTo(4);
    }

    @Test
    void whatPgDumpNeverWritesIsNoName() {
        for (String s : new String[] {"\"\"", "\"open", "1abc", "$x", "Abc", "", " x"}) {
            int[] at = {0};
            assertThat(DumpIdentifier.read(s, at)).as(s).isNull();
            assertThat(at[0]).as(s).isZero();
        }
    }

    @Test
    void aQualifiedNameIsTwoNamesAndADotAsWritten() {
        int[] at = {7};
        assertThat(DumpIdentifier.readQualified("SELECT \"public\".\"t x\" ;", at)).isEqualTo("\"public\".\"t x\"");
        assertThat(at[0]).isEqualTo(21);
        int[] none = {0};
        assertThat(DumpIdentifier.readQualified("public .t", none)).isNull();
        assertThat(none[0]).isZero();
    }
}
