package io.pgscribe.cli;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.signing.SetKey;
import io.pgscribe.storage.DurableFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "keygen", mixinStandardHelpOptions = true,
        description = {"Make the Ed25519 key pair backup sets are signed with: DIR/pgscribe-signing.key (private, "
                + "owner-only: pgscribe.backup.signing-key of the runtime) and DIR/pgscribe-signing.pub (public: "
                + "pgscribe.backup.verify-key of a host that only restores). Keep both outside the backup directory and "
                + "the bucket; a copy of the public key is all a restore needs."})
final class KeygenCommand implements Callable<Integer> {

    static final String PRIVATE = "pgscribe-signing.key";
    static final String PUBLIC = "pgscribe-signing.pub";

    @Parameters(paramLabel = "DIR", description = "Directory for the two files (created owner-only if missing).")
    Path dir;

    @Override
    public Integer call() {
        Path priv = dir.resolve(PRIVATE);
        Path pub = dir.resolve(PUBLIC);
        for (Path p : new Path[] {priv, pub}) {
            if (Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                throw new PgscribeException(p + " exists already", "Keep the key you have (the sets it signed need it), or "
                        + "give another directory.", ExitCode.REFUSED, null);
            }
        }
        if (!Files.isDirectory(dir)) {
            DurableFiles.ownerOnlyDirectory(dir);
        }
        SetKey key = SetKey.generate();
        key.write(priv, pub);
        System.out.println("Signing key: " + priv.toAbsolutePath() + "  (pgscribe.backup.signing-key)");
        System.out.println("Verify key:  " + pub.toAbsolutePath() + "  (pgscribe.backup.verify-key)");
        System.out.println("Key id:      " + key.id());
        return ExitCode.OK;
    }
}
