package io.pgscribe.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgscribe.pg.PgServer;
import io.pgscribe.pg.PgTools;
import io.pgscribe.pg.ReplicaIdentityAudit;
import io.pgscribe.testing.PgClusterExtension;
import io.pgscribe.testing.Pipeline;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The programs a runtime starts (pg_recvlogical, and pg_dump and pg_dumpall through camel-exec)
 * get only their own secret: each tool is the real one behind a wrapper that records the
 * environment it was started with (/proc/PID/environ) and execs it.
 */
@ExtendWith(PgClusterExtension.class)
class ChildEnvironmentIT {

    private static final String S3_SECRET = "s3-secret-canary-5511";
    private static final String SMTP_SECRET = "smtp-secret-canary-7723";

    @TempDir
    Path tmp;

    @Test
    void noChildSeesAnotherSecretOrAnyPgscribeVariable(PgServer cluster) throws Exception {
        Path records = Files.createDirectories(tmp.resolve("environ"));
        Path bindir = wrappers(Files.createDirectories(tmp.resolve("bin")), records);
        try (Pipeline p = Pipeline.create(cluster, "childenv", tmp.resolve("backup"), Map.of(
                "pgscribe.pg.bindir", bindir.toString(),
                "pgscribe.base.cron", "0/2 * * * * ?", "pgscribe.globals.cron", "1/2 * * * * ?", "pgscribe.base.checksums", "false"))) {
            p.init(ReplicaIdentityAudit.Mode.REFUSE);
            // what init (in this JVM) ran is not the runtime's
            for (Path f : recorded(records)) {
                Files.delete(f);
            }
            Path config = p.writeConfig(tmp.resolve("application.properties"));
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-jar", Path.of("target/pgscribe.jar").toAbsolutePath().toString(), "--config", config.toString(), "run");
            pb.environment().put("PGSCRIBE_SOURCE_PASSWORD", p.source().password());
            pb.environment().put("PGSCRIBE_S3_SECRET_KEY", S3_SECRET);
            pb.environment().put("PGSCRIBE_ALERT_SMTP_PASSWORD", SMTP_SECRET);
            pb.environment().put("PGSERVICE", "a-service-of-another-server"); // a libpq setting meant for something else
            pb.redirectErrorStream(true);
            pb.redirectOutput(tmp.resolve("runtime.log").toFile());
            Process runtime = pb.start();
            try {
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() ->
                        started(records, "pg_recvlogical") && started(records, "pg_dump") && started(records, "pg_dumpall"));
            } finally {
                runtime.destroy(); // SIGTERM: the runtime stops pg_recvlogical itself
                runtime.waitFor();
            }
            for (Path f : recorded(records)) {
                Map<String, String> env = environ(f);
                String tool = f.getFileName().toString().replaceAll("\\.\\d+\\.env$", "");
                assertThat(env.keySet()).as(tool).noneMatch(k -> k.startsWith("PGSCRIBE_")).doesNotContain("PGSERVICE");
                assertThat(String.join("\n", env.values())).as(tool).doesNotContain(S3_SECRET).doesNotContain(SMTP_SECRET);
                if (tool.equals("pg_dump") || tool.equals("pg_dumpall")) {
                    // through camel-exec: the password is in a passfile, never in the environment or on the command line
                    assertThat(env).as(tool).doesNotContainKey("PGPASSWORD");
                }
            }
            assertThat(recorded(records).stream().filter(f -> f.getFileName().toString().startsWith("pg_recvlogical.")).toList())
                    .allSatisfy(f -> assertThat(environ(f)).containsEntry("PGPASSWORD", p.source().password()));
        }
    }

    private static Path wrappers(Path bindir, Path records) throws Exception {
        Path real = Path.of(PgTools.locate("").path("pg_dump")).getParent();
        for (String tool : List.of("pg_recvlogical", "pg_dump", "pg_dumpall", "psql", "pg_restore")) {
            Path w = bindir.resolve(tool);
            String record = "'" + records + "'/" + tool + ".$$";
            Files.writeString(w, "#!/bin/sh\ncat /proc/$$/environ > " + record + ".tmp && mv " + record + ".tmp " + record
                    + ".env\nexec '" + real.resolve(tool) + "' \"$@\"\n");
            Files.setPosixFilePermissions(w, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return bindir;
    }

    private static boolean started(Path records, String tool) throws Exception {
        return recorded(records).stream().anyMatch(f -> f.getFileName().toString().startsWith(tool + "."));
    }

    private static List<Path> recorded(Path records) throws Exception {
        try (var s = Files.list(records)) {
            return new ArrayList<>(s.filter(f -> f.toString().endsWith(".env")).sorted().toList());
        }
    }

    private static Map<String, String> environ(Path f) {
        try {
            Map<String, String> env = new TreeMap<>();
            for (String kv : Files.readString(f, StandardCharsets.UTF_8).split("\0")) {
                int eq = kv.indexOf('=');
                if (eq > 0) {
                    env.put(kv.substring(0, eq), kv.substring(eq + 1));
                }
            }
            return env;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
