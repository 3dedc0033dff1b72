package io.pgscribe.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * s3rver, a second S3-compatible server (Node.js, from the npm registry), which unlike the
 * in-process one checks request signatures: the server for wrong-credential tests. Installed
 * into target/s3rver at a pinned version on first use; its only account is S3RVER/S3RVER.
 */
public final class S3rverProcess implements AutoCloseable {

    public static final String VERSION = "3.7.1";
    public static final String ACCESS_KEY = "S3RVER";
    public static final String SECRET_KEY = "S3RVER";
    private static final Path HOME = Path.of("target", "s3rver").toAbsolutePath();

    private final Process process;
    private final int port;

    private S3rverProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts s3rver with {@code bucket} created; the test is skipped (with the reason) where npm is missing. */
    public static S3rverProcess start(Path data, String bucket) throws Exception {
        Path bin = HOME.resolve("node_modules/.bin/s3rver");
        if (!Files.isExecutable(bin)) {
            Assumptions.assumeTrue(onPath("npm"), "s3rver needs Node.js and npm (apt-get install nodejs npm)");
            Files.createDirectories(HOME);
            Process npm = new ProcessBuilder("npm", "install", "--no-audit", "--no-fund", "--prefix", HOME.toString(),
                    "s3rver@" + VERSION).redirectErrorStream(true).redirectOutput(HOME.resolve("npm-install.log").toFile())
                    .start();
            if (!npm.waitFor(5, TimeUnit.MINUTES) || npm.exitValue() != 0) {
                throw new IllegalStateException("npm install s3rver@" + VERSION + " failed; see " + HOME.resolve("npm-install.log"));
            }
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Files.createDirectories(data);
        Process p = new ProcessBuilder(List.of(bin.toString(), "-d", data.toString(), "-a", "127.0.0.1", "-p",
                String.valueOf(port), "--silent", "--configure-bucket", bucket)).redirectErrorStream(true)
                .redirectOutput(data.resolveSibling(data.getFileName() + ".log").toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!accepts(port)) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new IllegalStateException("s3rver did not start on port " + port);
            }
            Thread.sleep(50);
        }
        return new S3rverProcess(p, port);
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
