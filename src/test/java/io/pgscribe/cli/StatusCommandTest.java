package io.pgscribe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgscribe.manifest.CaptureState;
import io.pgscribe.manifest.Manifest;
import io.pgscribe.manifest.ManifestStore;
import io.pgscribe.monitor.Finding;
import io.pgscribe.monitor.HealthRules;
import io.pgscribe.alert.Severity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StatusCommandTest {

    @TempDir
    Path tmp;

    @Test
    void aManifestWithoutItsWholeCopyOrReadFromItIsAWarning() throws Exception {
        ManifestStore store = new ManifestStore(tmp);
        store.save(new Manifest(Manifest.FORMAT, "test", new Manifest.Source("db", "1", "15", 150000, "UTF8"), "slot",
                "wal2json", List.of(), "now", null, null, null, CaptureState.initial(List.of()), null));
        assertThat(StatusCommand.copyFinding(tmp)).isEmpty();

        byte[] older = Files.readAllBytes(ManifestStore.copyOf(store.file()));
        store.update(m -> m.withCapture(m.capture().withHoles(List.of())));
        store.update(m -> m.withGlobals(new io.pgscribe.manifest.GlobalsEntry("globals/g.sql", "t", 5, "cd")));
        Files.write(ManifestStore.copyOf(store.file()), older); // its write failed
        Finding differs = StatusCommand.copyFinding(tmp).orElseThrow();
        assertThat(differs.rule()).isEqualTo(HealthRules.BACKUP_SET_UNREADABLE);
        assertThat(differs.severity()).isEqualTo(Severity.WARNING);
        assertThat(differs.message()).contains("not the same");

        Files.writeString(store.file(), "{");
        assertThat(StatusCommand.copyFinding(tmp).orElseThrow().message()).contains("read from its copy");
    }
}
