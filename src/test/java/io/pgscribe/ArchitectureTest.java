package io.pgscribe;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package structure the build holds: no package cycle, and no arrow that runs back up from
 * the wire to the pipeline or from the pipeline to the entry points. Read from the compiled
 * classes, so a fully-qualified name in the middle of a method counts like an import.
 */
class ArchitectureTest {

    private static JavaClasses main;

    @BeforeAll
    static void importMain() {
        main = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.pgscribe");
    }

    static ArchRule noPackageCycle(String root) {
        return slices().matching(root + ".(*)..").should().beFreeOfCycles();
    }

    @Test
    void packagesHaveNoCycle() {
        assertThat(main.size()).as("main classes imported").isGreaterThan(100);
        noPackageCycle("io.pgscribe").check(main);
    }

    @Test
    void theCycleRuleSeesACycle() {
        JavaClasses fixture = new ClassFileImporter().importPackages("io.pgscribe.archfixture");
        assertThat(noPackageCycle("io.pgscribe.archfixture").evaluate(fixture).hasViolation()).isTrue();
    }

    @Test
    void dependenciesRunDownward() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                // the commands and the runtime that wire the pipeline together
                .layer("entry").definedBy("io.pgscribe.cli..", "io.pgscribe.demo..", "io.pgscribe.runtime..")
                // what a change goes through on its way to a segment and back to a row
                .layer("pipeline").definedBy("io.pgscribe.alert..", "io.pgscribe.base..", "io.pgscribe.capture..",
                        "io.pgscribe.compress..", "io.pgscribe.ddl..", "io.pgscribe.decode..", "io.pgscribe.init..",
                        "io.pgscribe.manifest..", "io.pgscribe.monitor..", "io.pgscribe.render..",
                        "io.pgscribe.restore..", "io.pgscribe.retention..", "io.pgscribe.segment..",
                        "io.pgscribe.ship..", "io.pgscribe.spool..", "io.pgscribe.verify..")
                // PostgreSQL, settings, files, SQL text, keys: knows nothing of the pipeline
                .layer("foundation").definedBy("io.pgscribe", "io.pgscribe.config..", "io.pgscribe.encryption..",
                        "io.pgscribe.pg..", "io.pgscribe.signing..", "io.pgscribe.sql..", "io.pgscribe.storage..")
                .whereLayer("entry").mayNotBeAccessedByAnyLayer()
                .whereLayer("pipeline").mayOnlyBeAccessedByLayers("entry")
                .whereLayer("foundation").mayOnlyBeAccessedByLayers("entry", "pipeline")
                .check(main);
    }

    @Test
    void everyMainPackageHasALayer() {
        // a new package must be placed in dependenciesRunDownward, or its arrows go unchecked
        assertThat(main.stream().map(c -> c.getPackageName()).distinct())
                .allMatch(p -> p.equals("io.pgscribe") || p.matches("io\\.pgscribe\\.(cli|demo|runtime|alert|base|capture"
                        + "|compress|ddl|decode|init|manifest|monitor|render|restore|retention|segment|ship|spool"
                        + "|verify|config|encryption|pg|signing|sql|storage)(\\..*)?"));
    }
}
