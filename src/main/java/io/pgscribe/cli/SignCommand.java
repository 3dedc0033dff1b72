package io.pgscribe.cli;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.config.Setting;
import io.pgscribe.config.Settings;
import io.pgscribe.manifest.Manifest;
import io.pgscribe.manifest.ManifestStore;
import io.pgscribe.manifest.SetTrust;
import io.pgscribe.signing.SetKey;
import io.pgscribe.signing.SetKeys;
import io.pgscribe.storage.BackupSetLock;
import io.pgscribe.verify.BackupVerifier;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

@Command(name = "sign", mixinStandardHelpOptions = true,
        description = {"Sign the backup set's manifest, as it is, with pgscribe.backup.signing-key: once, for a set made "
                + "unsigned (before pgscribe 0.2, or without a key), or with a new key (pgscribe.backup.verify-key the old "
                + "public key: the signature must hold under it). A failing signature is refused. Every file is checked "
                + "against the manifest first. Sign an unsigned set only if you trust it: whoever could write it may have "
                + "changed it."})
final class SignCommand implements Callable<Integer> {

    @ParentCommand
    PgscribeCommand parent;

    @Override
    public Integer call() {
        PgscribeCommand.quietLogs();
        Settings s = parent.settings();
        SetKey key = SetKeys.signing(s);
        if (key == null) {
            throw new PgscribeException("pgscribe.backup.signing-key is not set", "Make a key pair with `pgscribe keygen DIR` "
                    + "and set pgscribe.backup.signing-key to its private key.", ExitCode.USAGE, null);
        }
        Path dir = s.getPath(Setting.BACKUP_DIR).toAbsolutePath();
        // a runtime holds the lock for its life: it would go on writing over this signature with its own view
        io.pgscribe.storage.SetPermissions.require(dir);
        try (BackupSetLock lock = BackupSetLock.acquire(dir, "sign")) {
            Path file = dir.resolve(ManifestStore.FILE_NAME);
            Manifest m = ManifestStore.readUnverified(file);
            SetKey old = SetKeys.verifying(s);
            String before = SetTrust.reader(old, true).describe(m, file);
            if (m.signature() != null) {
                // a signature that fails is a forgery to report, never one to sign over; a new key signs only what the old one did
                SetTrust.reader(old, false).check(m, file);
            }
            // the copy is not judged: this write replaces it with the signed manifest
            List<BackupVerifier.Check> checks = BackupVerifier.check(dir, SetTrust.reader(null, true)).stream()
                    .filter(c -> !c.file().equals(ManifestStore.COPY_NAME)).toList();
            if (!checks.stream().allMatch(BackupVerifier.Check::ok)) {
                BackupVerifier.print(checks, System.out);
                throw new PgscribeException("the backup set in " + dir + " has damaged or missing files: not signed",
                        "See `pgscribe verify --backup --allow-unsigned`.", ExitCode.DAMAGED, null);
            }
            new ManifestStore(dir, SetTrust.writer(key)).save(m);
            System.out.println("Was:    " + before);
            System.out.println("Signed: " + file + " with key " + key.id() + " (" + (checks.size() - 1)
                    + " file(s) checked against it)");
        }
        return ExitCode.OK;
    }
}
