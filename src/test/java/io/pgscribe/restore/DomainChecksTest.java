package io.pgscribe.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgscribe.PgscribeException;
import java.util.List;
import org.junit.jupiter.api.Test;

class DomainChecksTest {

    @Test
    void theChecksLeaveTheDomainAndComeBackNotValidThenMarkedValid() {
        DomainChecks.Split s = DomainChecks.split("CREATE DOMAIN mal.d AS integer NOT NULL DEFAULT 5\n"
                + "\tCONSTRAINT a CHECK ((VALUE > 0))\n\tCONSTRAINT \"b\"\"; --\" CHECK ((mal.ok(VALUE)));");
        assertThat(s.create()).isEqualTo("CREATE DOMAIN mal.d AS integer NOT NULL DEFAULT 5;\n");
        assertThat(s.later()).hasSize(2);
        assertThat(s.later().get(0)).startsWith("ALTER DOMAIN mal.d\n    ADD CONSTRAINT a CHECK ((VALUE > 0)) NOT VALID;\n")
                .contains("conname = 'a' AND contypid = 'mal.d'::pg_catalog.regtype;");
        assertThat(s.later().get(1)).startsWith("ALTER DOMAIN mal.d\n    ADD CONSTRAINT \"b\"\"; --\" CHECK ((mal.ok(VALUE))) NOT VALID;\n")
                .contains("conname = 'b\"; --'");
    }

    @Test
    void aDomainWithoutChecksStaysAsItIs() {
        DomainChecks.Split s = DomainChecks.split("CREATE DOMAIN public.\"Odd; Name\" AS text COLLATE pg_catalog.\"C\";");
        assertThat(s.create()).isEqualTo("CREATE DOMAIN public.\"Odd; Name\" AS text COLLATE pg_catalog.\"C\";\n");
        assertThat(s.later()).isEmpty();
    }

    @Test
    void aConstraintLineInsideALiteralOrAQuotedNameIsNoConstraint() {
        String in = "CREATE DOMAIN mal.d AS text DEFAULT 'x\n\tCONSTRAINT y CHECK (mal.payload())'::text\n"
                + "\tCONSTRAINT c CHECK ((VALUE <> '\n\tCONSTRAINT z CHECK (true)'::text));";
        DomainChecks.Split s = DomainChecks.split(in);
        assertThat(s.create()).isEqualTo("CREATE DOMAIN mal.d AS text DEFAULT 'x\n\tCONSTRAINT y CHECK (mal.payload())'::text;\n");
        assertThat(s.later()).hasSize(1);
        assertThat(s.later().get(0)).startsWith("ALTER DOMAIN mal.d\n    ADD CONSTRAINT c CHECK ((VALUE <> '\n\tCONSTRAINT z "
                + "CHECK (true)'::text)) NOT VALID;\n");
    }

    @Test
    void hostileTextInADefaultOrACheckStaysInsideItsLiteral() {
        String def = "'x'';\r\n\tCONSTRAINT y CHECK (mal.payload()); -- $q$ /* COMMIT;\nCOMMIT;\n'::text";
        String in = "CREATE DOMAIN \"mal\".\"d;\r\n\tCONSTRAINT\" AS text DEFAULT " + def
                + "\n\tCONSTRAINT \"c$q$\" CHECK ((VALUE <> 'COMMIT;\n\tCONSTRAINT z CHECK (true)'::text));";
        DomainChecks.Split s = DomainChecks.split(in);
        assertThat(s.create()).isEqualTo("CREATE DOMAIN \"mal\".\"d;\r\n\tCONSTRAINT\" AS text DEFAULT " + def + ";\n");
        assertThat(s.later()).hasSize(1);
        assertThat(s.later().get(0)).startsWith("ALTER DOMAIN \"mal\".\"d;\r\n\tCONSTRAINT\"\n    ADD CONSTRAINT \"c$q$\" CHECK (")
                .contains("conname = 'c$q$' AND contypid = '\"mal\".\"d;\r\n\tCONSTRAINT\"'::pg_catalog.regtype;");
    }

    @Test
    void aConstraintThatRunsNoCodeStaysInline() {
        DomainChecks.Split s = DomainChecks.split("CREATE DOMAIN public.d AS integer\n\tCONSTRAINT nn NOT NULL\n"
                + "\tCONSTRAINT c CHECK ((VALUE > 0));");
        assertThat(s.create()).isEqualTo("CREATE DOMAIN public.d AS integer\n\tCONSTRAINT nn NOT NULL;\n");
        assertThat(s.later()).hasSize(1);
    }

    @Test
    void aFormPgDumpDoesNotWriteIsRefused() {
        for (String in : List.of("CREATE DOMAIN d AS integer CHECK (VALUE > 0);",
                "CREATE DOMAIN public.d AS integer\n\tCONSTRAINT c CHECK ((VALUE > 0)) NOT VALID;",
                "CREATE DOMAIN public.\"d AS integer;",
                "CREATE DOMAIN public.d AS integer\n\tCONSTRAINT \"\" CHECK (true);")) {
            assertThatThrownBy(() -> DomainChecks.split(in)).as(in).isInstanceOf(PgscribeException.class)
                    .hasMessageContaining("a domain in a form pgscribe does not know");
        }
    }
}
