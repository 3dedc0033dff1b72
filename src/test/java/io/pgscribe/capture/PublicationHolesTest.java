package io.pgscribe.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgscribe.manifest.BaseEntry;
import io.pgscribe.manifest.CaptureState;
import io.pgscribe.manifest.Manifest;
import io.pgscribe.manifest.ManifestStore;
import io.pgscribe.pg.Lsn;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PublicationHolesTest {

    @TempDir
    Path tmp;

    private ManifestStore store() {
        ManifestStore store = new ManifestStore(tmp);
        store.save(new Manifest(Manifest.FORMAT, "0.1.0", new Manifest.Source("shop", "7311", "15.18", 150018, "UTF8"),
                "set_a", "pgoutput", List.of("proto_version=1"), "2026-12-03T00:00:00Z",
                List.of(new BaseEntry("base/x.sql", "plain", "0/15300B0", "00000003-00000002-1", "t", 10, "ab", null, null)),
                null, null, CaptureState.initial(List.of()), null));
        return store;
    }

    @Test
    void aChangeInsideAHoleOfThePublicationOpensNoOther() {
        ManifestStore store = store();
        Instant now = Instant.parse("2026-12-03T10:00:00Z");
        PublicationHoles.open(store, "set_a", "0/1600000", Lsn.valueOf("0/1650000"), "role app (ALTER PUBLICATION)", now);
        // the same DDL read again after a restart, and the check finding the change later
        PublicationHoles.open(store, "set_a", "0/1600000", Lsn.valueOf("0/1650000"), "role app (ALTER PUBLICATION)", now);
        PublicationHoles.open(store, "set_a", "0/1640000", Lsn.valueOf("0/1700000"), "hand (found by the check)", now);
        List<CaptureState.Hole> holes = store.load().capture().holes();
        assertThat(holes).hasSize(1);
        assertThat(holes.get(0).afterLsn()).isEqualTo("0/1600000");
        assertThat(holes.get(0).beforeLsn()).isNull();
        assertThat(holes.get(0).cause()).isEqualTo("the publication set_a was changed by role app (ALTER PUBLICATION), and "
                + "pgoutput leaves out what it no longer publishes");
        // another set's publication has its own
        PublicationHoles.open(store, "set_b", "0/1700000", Lsn.valueOf("0/1750000"), "role app (ALTER PUBLICATION)", now);
        assertThat(store.load().capture().holes()).hasSize(2);
        // closed at 0/1800000: the DDL read again (inside it) opens none, a later change a new one
        store.update(m -> m.withHoles(m.capture().holes().stream().map(h -> new CaptureState.Hole(h.afterLsn(), "0/1800000",
                h.detectedAt(), h.cause())).toList()));
        PublicationHoles.open(store, "set_a", "0/1600000", Lsn.valueOf("0/1650000"), "role app (ALTER PUBLICATION)", now);
        assertThat(store.load().capture().holes()).hasSize(2);
        PublicationHoles.open(store, "set_a", "0/1850000", Lsn.valueOf("0/1900000"), "role app (ALTER PUBLICATION)", now);
        assertThat(store.load().capture().holes()).hasSize(3);
        assertThat(store.load().capture().holes().get(2).beforeLsn()).isNull();
    }

    @Test
    void aChangeBeforeTheCaptureWroteAnythingStartsAtTheBaseWhichStillRestores() {
        ManifestStore store = store();
        // found a review: with no transaction written yet the hole had no start, and not even the base restored
        PublicationHoles.open(store, "set_a", null, Lsn.valueOf("0/1650000"), "role app (ALTER PUBLICATION)", Instant.now());
        assertThat(store.load().capture().holes().get(0).afterLsn()).isEqualTo("0/15300B0");
    }

    @Test
    void noHoleStartsBeforeTheOldestBaseWhichHoldsEverythingBeforeIt() {
        ManifestStore store = store();
        // the check's last confirmed position can be init's own, read before the base's consistent point
        PublicationHoles.open(store, "set_a", "0/1500000", Lsn.valueOf("0/1650000"), "hand (found by the check)", Instant.now());
        assertThat(store.load().capture().holes().get(0).afterLsn()).isEqualTo("0/15300B0");
    }

    @Test
    void aHoleEndsOnlyAtAPositionAfterItsStart() {
        ManifestStore store = store();
        PublicationHoles.open(store, "set_a", "0/1600000", Lsn.valueOf("0/1650000"), "role app (ALTER PUBLICATION)", Instant.now());
        // a position the check confirmed before the hole began closes nothing
        PublicationHoles.closeOpen(store, "set_a", Lsn.valueOf("0/1500000"));
        assertThat(store.load().capture().holes().get(0).beforeLsn()).isNull();
        PublicationHoles.closeOpen(store, "set_b", Lsn.valueOf("0/1700000"));
        assertThat(store.load().capture().holes().get(0).beforeLsn()).isNull();
        PublicationHoles.closeOpen(store, "set_a", Lsn.valueOf("0/1700000"));
        assertThat(store.load().capture().holes().get(0).beforeLsn()).isEqualTo("0/1700000");
    }

    @Test
    void aChangeFoundToBeginEarlierWidensTheHoleThatHoldsIt() {
        ManifestStore store = store();
        Instant now = Instant.now();
        // the capture read the ALTER that set it back, after the last commit then
        PublicationHoles.open(store, "set_a", "0/1700000", Lsn.valueOf("0/1750000"), "role app (ALTER PUBLICATION)", now);
        // the check knows it unchanged only up to 0/1600000
        PublicationHoles.open(store, "set_a", "0/1600000", Lsn.valueOf("0/1800000"), "hand (found by the check)", now);
        List<CaptureState.Hole> holes = store.load().capture().holes();
        assertThat(holes).hasSize(1);
        assertThat(holes.get(0).afterLsn()).isEqualTo("0/1600000");
        assertThat(holes.get(0).cause()).contains("role app");
        // a later start does not narrow it again
        PublicationHoles.open(store, "set_a", "0/1650000", Lsn.valueOf("0/1800000"), "hand (found by the check)", now);
        assertThat(store.load().capture().holes().get(0).afterLsn()).isEqualTo("0/1600000");
    }

    @Test
    void theRowLastFoundWholeSurvivesTheCapturesCheckpoints() {
        ManifestStore store = store();
        CaptureState.PublicationSeen seen = new CaptureState.PublicationSeen(16400, "812", "0/1600000");
        store.update(m -> m.withCapture(m.capture().withPublication(seen)));
        store.update(m -> m.withCapture(new CaptureState("0/1900000", "0/1900000", null, List.of(), 3)));
        assertThat(store.load().capture().publication()).isEqualTo(seen);
        assertThat(store.load().capture().lastCommitLsn()).isEqualTo("0/1900000");
    }

    @Test
    void aClosedHoleStaysClosedWhenTheCaptureWritesItsStateAgain() {
        ManifestStore store = store();
        PublicationHoles.open(store, "set_a", "0/1600000", Lsn.valueOf("0/1650000"), "role app (ALTER PUBLICATION)",
                Instant.now());
        CaptureState.Hole open = store.load().capture().holes().get(0);
        CaptureState.Hole closed = new CaptureState.Hole(open.afterLsn(), "0/1800000", open.detectedAt(), open.cause());
        store.update(m -> m.withHoles(List.of(closed)));
        // the capture's checkpoint carries no holes; it keeps the manifest's, as they are now
        store.update(m -> m.withCapture(new CaptureState("0/1900000", "0/1900000", null, List.of(), 3)));
        assertThat(store.load().capture().holes()).containsExactly(closed);
    }
}
