package io.pgscribe.restore;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.manifest.BaseEntry;
import io.pgscribe.server.PgTools;
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
    static InputStream open(BaseEntry base, Path file, PgTools tools) {
        if (!base.isCustomFormat()) {
            return Compression.open(file);
        }
        ProcessBuilder pb = io.pgscribe.pg.ChildEnvironment.apply(
                new ProcessBuilder(List.of(tools.path("pg_restore"), "--file=-", file.toString())), java.util.Map.of());
        pb.redirectError(ProcessBuilder.Redirect.PIPE);
        Process p;
        try {
            p = pb.start();
            p.getOutputStream().close();
        } catch (IOException e) {
            throw new PgscribeException("cannot start pg_restore to read the custom-format base " + base.file() + ": "
                    + e.getMessage(), "Install the PostgreSQL client tools, or set pgscribe.pg.bindir.", ExitCode.FAILED, e);
        }
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
                } catch (InterruptedException e) {
                    p.destroyForcibly();
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while pg_restore read " + base.file(), e);
                }
                if (code != 0) {
                    throw new IOException("pg_restore could not read " + base.file() + " (exit " + code + "): "
                            + err.text().strip());
                }
            }
        };
    }
}
