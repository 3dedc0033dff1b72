package io.pgscribe.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SetPermissionsTest {

    @TempDir
    Path tmp;

    private Path set() throws Exception {
        Path set = DurableFiles.ownerOnlyDirectory(tmp.resolve("set"));
        DurableFiles.ownerOnlyDirectory(set.resolve("segments"));
        DurableFiles.writeNew(set.resolve("manifest.json"), "{}".getBytes());
        DurableFiles.writeNew(set.resolve("segments/a.sql"), "BEGIN;".getBytes());
        Path spool = DurableFiles.ownerOnlyDirectory(set.resolve("spool"));
        DurableFiles.writeNew(spool.resolve("00000001-000001.jsonl"), new byte[0]);
        Files.createSymbolicLink(spool.resolve("current"), Path.of("00000001-000001.jsonl"));
        return set;
    }

    @Test
    void aSetOfThisUserAloneWithTheSpoolsOwnLinkPasses() throws Exception {
        Path set = set();
        assertThat(SetPermissions.problems(set)).isEmpty();
        // the moment the capture rotates the link: a second writer's check must not call it foreign
        Files.createSymbolicLink(set.resolve("spool/.current.new"), Path.of("00000001-000001.jsonl"));
        assertThat(SetPermissions.problems(set)).isEmpty();
        // the set's own directory may be named through a link: what it names is checked
        Path link = Files.createSymbolicLink(tmp.resolve("link-to-set"), set);
        SetPermissions.require(link);
    }

    @Test
    void entriesOthersCanReadAreNamedButNotRefused() throws Exception {
        Path set = set();
        assertThat(SetPermissions.readableByOthers(set)).isEmpty();
        Files.setPosixFilePermissions(set.resolve("segments"), PosixFilePermissions.fromString("rwxr-x---"));
        Files.setPosixFilePermissions(set.resolve("segments/a.sql"), PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(SetPermissions.readableByOthers(set)).containsExactly(
                set.toRealPath().resolve("segments") + " (rwxr-x---)", set.toRealPath().resolve("segments/a.sql") + " (rw-r--r--)");
        SetPermissions.require(set); // an operator's choice (a backup agent's group): a warning, no refusal
    }

    @Test
    void aLinkAFileOthersCanWriteOrALinkedCurrentElsewhereIsRefused() throws Exception {
        Path set = set();
        Path outside = Files.writeString(tmp.resolve("outside.sql"), "DROP TABLE t;");
        Files.createSymbolicLink(set.resolve("segments/b.sql"), outside);
        Files.setPosixFilePermissions(set.resolve("segments/a.sql"), PosixFilePermissions.fromString("rw-rw-rw-"));
        Files.setPosixFilePermissions(set.resolve("segments"), PosixFilePermissions.fromString("rwxrwx---"));
        Files.delete(set.resolve("spool/current"));
        Files.createSymbolicLink(set.resolve("spool/current"), outside);
        assertThat(SetPermissions.problems(set)).hasSize(4).anyMatch(p -> p.contains("b.sql is a symbolic link"))
                .anyMatch(p -> p.contains("a.sql can be written by others (rw-rw-rw-)"))
                .anyMatch(p -> p.endsWith("segments can be written by others (rwxrwx---)"))
                .anyMatch(p -> p.contains("current is a symbolic link"));
        assertThatThrownBy(() -> SetPermissions.require(set)).isInstanceOf(PgscribeException.class)
                .hasMessageContaining("is not " + System.getProperty("user.name") + "'s alone")
                .satisfies(e -> assertThat(((PgscribeException) e).exitCode()).isEqualTo(ExitCode.REFUSED));
    }

    @Test
    void aDirectoryOrFileOfAnotherUserIsRefusedAndNotTakenOver() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "chown needs root");
        Path set = set();
        UserPrincipal nobody = set.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
        Files.setOwner(set.resolve("manifest.json"), nobody);
        assertThat(SetPermissions.problems(set)).containsExactly(set.toRealPath().resolve("manifest.json")
                + " belongs to nobody, not to root");
        // a directory someone else made (0777) is not chmodded into looking like ours
        Path planted = Files.createDirectory(tmp.resolve("planted"));
        Files.setPosixFilePermissions(planted, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.setOwner(planted, nobody);
        assertThatThrownBy(() -> DurableFiles.ownerOnlyDirectory(planted)).hasMessageContaining("belongs to nobody");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(planted))).isEqualTo("rwxrwxrwx");
    }

    @Test
    void aParentOthersCanWriteWithoutTheStickyBitIsRefusedWithIt() throws Exception {
        Path parent = Files.createDirectory(tmp.resolve("shared"));
        Path set = DurableFiles.ownerOnlyDirectory(parent.resolve("set"));
        Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThat(SetPermissions.problems(set)).containsExactly("its parent " + parent.toRealPath()
                + " can be written by others (rwxrwxrwx, no sticky bit)");
        assertThatThrownBy(() -> SetPermissions.requireForReading(set)).hasMessageContaining("can be written by others");
        Files.setAttribute(parent, "unix:mode", 01777); // as /tmp: others cannot rename what is not theirs
        assertThat(SetPermissions.problems(set)).isEmpty();
    }

    @Test
    void aReaderTrustsTheSetsOwnerButNoThirdUser() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "chown needs root");
        Path set = set();
        UserPrincipal nobody = set.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
        // a set of the runtime's user (here: nobody), read by root: fine
        try (var all = Files.walk(set)) {
            for (Path p : all.toList()) {
                Files.getFileAttributeView(p, java.nio.file.attribute.PosixFileAttributeView.class,
                        java.nio.file.LinkOption.NOFOLLOW_LINKS).setOwner(nobody);
            }
        }
        SetPermissions.requireForReading(set);
        // one file of a third user in it: refused
        UserPrincipal daemon = set.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("daemon");
        Files.setOwner(set.resolve("segments/a.sql"), daemon);
        assertThatThrownBy(() -> SetPermissions.requireForReading(set)).hasMessageContaining("a.sql belongs to daemon");
    }

    @Test
    void aLinkOfAnotherUserOnThePathOrANewSetUnderAParentOthersCanWriteIsRefused() throws Exception {
        Path parent = Files.createDirectory(tmp.resolve("shared"));
        Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwxrwx---"));
        assertThatThrownBy(() -> SetPermissions.require(parent.resolve("new-set"))).hasMessageContaining(
                "its parent " + parent.toRealPath() + " can be written by others");
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "chown needs root");
        Path set = set();
        Path sticky = Files.createDirectory(tmp.resolve("sticky"));
        Files.setAttribute(sticky, "unix:mode", 01777);
        Path link = Files.createSymbolicLink(sticky.resolve("set-link"), set);
        SetPermissions.require(link); // this user's link: fine
        UserPrincipal nobody = set.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
        Files.getFileAttributeView(link, java.nio.file.attribute.PosixFileAttributeView.class,
                java.nio.file.LinkOption.NOFOLLOW_LINKS).setOwner(nobody);
        assertThatThrownBy(() -> SetPermissions.require(link)).hasMessageContaining(link + " is a link of nobody");
        assertThatThrownBy(() -> SetPermissions.requireForReading(link)).hasMessageContaining("is a link of nobody");
    }
}
