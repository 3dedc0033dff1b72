package io.pgscribe.restore;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.manifest.BaseEntry;
import io.pgscribe.pg.PgTools;
import io.pgscribe.storage.Compression;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;

/**
 * A base as the SQL script it stands for: a plain base read through its decompressor, a
 * custom-format base through {@code pg_restore} (which writes the same script pg_dump would
 * have, so one load path and one subset filter serve both).
 */
final class BaseSql {

    private BaseSql() {
    }

    /** The script; closing the stream reports a pg_restore that failed. */
    static InputStream open(Chain chain, PgTools tools) {
        BaseEntry base = chain.base();
        Path file = chain.locate(base);
        if (!base.isCustomFormat()) {
            return chain.open(base);
        }
        // an encrypted archive goes to pg_restore decrypted through its stdin: a custom-format
        // archive reads front to back for a script, so no plain copy touches the disk
        boolean encrypted = io.pgscribe.encryption.Encryption.isEncrypted(file.getFileName().toString());
        List<String> cmd = new java.util.ArrayList<>(List.of(tools.path("pg_restore"), "--file=-"));
        if (!encrypted) {
            cmd.add(file.toString());
        }
        ProcessBuilder pb = io.pgscribe.pg.ChildEnvironment.apply(new ProcessBuilder(cmd), java.util.Map.of());
        pb.redirectError(ProcessBuilder.Redirect.PIPE);
        Process p;
        Thread feed = null;
        java.util.concurrent.atomic.AtomicReference<Exception> feedFailure = new java.util.concurrent.atomic.AtomicReference<>();
        try {
            p = pb.start();
            if (encrypted) {
                InputStream archive;
                try {
                    archive = chain.open(base);
                } catch (RuntimeException e) {
                    p.destroyForcibly();
                    throw e;
                }
                feed = new Thread(() -> {
                    try (InputStream in = archive; java.io.OutputStream toTool = p.getOutputStream()) {
                        in.transferTo(toTool);
                    } catch (IOException | RuntimeException e) {
                        feedFailure.set(e); // pg_restore sees its input end early and fails too
                    }
                }, "pgscribe-base-decrypt");
                feed.setDaemon(true);
                feed.start();
            } else {
                p.getOutputStream().close();
            }
        } catch (IOException e) {
            throw new PgscribeException("cannot start pg_restore to read the custom-format base " + base.file() + ": "
                    + e.getMessage(), "Install the PostgreSQL client tools, or set pgscribe.pg.bindir.", ExitCode.FAILED, e);
        }
        Thread feeder = feed;
        PgTools.Tail err = new PgTools.Tail(p.getErrorStream(), 64 * 1024);
        err.start();
        return new FilterInputStream(p.getInputStream()) {
            private boolean closed;

            @Override
            public void close() throws IOException {
                if (closed) {
                    return;
                }
                closed = true;
                // a reader that stops early (a failed load) must not leave pg_restore blocked on a full pipe
                p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
                super.close();
                int code;
                try {
                    code = p.waitFor();
                    err.join();
                    if (feeder != null) {
                        feeder.join();
                    }
                } catch (InterruptedException e) {
                    p.destroyForcibly();
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while pg_restore read " + base.file(), e);
                }
                Exception fed = feedFailure.get();
                if (fed != null && !(code != 0 && fed.getMessage() != null && fed.getMessage().contains("Broken pipe"))) {
                    throw new IOException("cannot decrypt " + base.file() + " for pg_restore: " + fed.getMessage(), fed);
                }
                if (code != 0) {
                    throw new IOException("pg_restore could not read " + base.file() + " (exit " + code + "): "
                            + err.text().strip());
                }
            }
        };
    }
}
