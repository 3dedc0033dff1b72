package io.pgscribe.pg;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgscribe.decode.DecoderPlugin;
import io.pgscribe.testing.Pipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With sslmode=verify-full and pgscribe.source.sslrootcert, every connection checks the
 * server's certificate against that one file: pgscribe's own (pgjdbc) and the tools' (libpq:
 * pg_dump, pg_dumpall, pg_recvlogical, psql). A server certificate the file does not vouch for
 * is refused.
 */
class TlsIT {

    @TempDir
    Path tmp;

    @Test
    void everyConnectionVerifiesTheServerAgainstTheConfiguredRootAndRefusesAnother() throws Exception {
        Path certs = Files.createDirectories(tmp.resolve("certs"));
        Path crt = certs.resolve("server.crt");
        Path key = certs.resolve("server.key");
        selfSigned(key, crt);
        Path otherCrt = certs.resolve("other.crt");
        selfSigned(certs.resolve("other.key"), otherCrt);
        serverReadable(certs, key, crt);
        LocalCluster cluster = LocalCluster.start(tmp, List.of(DecoderPlugin.WAL2JSON.pluginName()),
                List.of("ssl=on", "ssl_cert_file=" + crt, "ssl_key_file=" + key));
        try {
            try (Connection c = Pg.connect(cluster.connection("postgres"), "test")) {
                Pg.execute(c, "CREATE DATABASE tls");
            }
            try (Pipeline p = new Pipeline(cluster, "tls", tmp.resolve("backup"), Map.of(
                    "pgscribe.source.sslmode", "verify-full", "pgscribe.source.sslrootcert", crt.toString()))) {
                try (Connection c = p.connect()) {
                    Pg.execute(c, "CREATE TABLE t (id int PRIMARY KEY, v text)");
                }
                // init: pgjdbc, pg_dump and pg_dumpall, each verifying the server
                Pipeline.Cli init = p.cli("init");
                assertThat(init.code()).as(init.out() + init.err()).isZero();
                p.start();
                try (Connection c = p.connect()) {
                    Pg.execute(c, "INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 50) g");
                    // pg_recvlogical streams over TLS
                    // one row always: '' until pg_recvlogical's walsender is there (the runtime starts it in the background)
                    String walsender = "SELECT coalesce(string_agg(s.ssl::text, ','), '') FROM pg_stat_ssl s "
                            + "JOIN pg_stat_activity a USING (pid) "
                            + "WHERE a.backend_type = 'walsender' AND a.application_name = 'pgscribe-pgscribe_tls'";
                    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                            .until(() -> !Pg.string(c, walsender).isEmpty());
                    assertThat(Pg.string(c, walsender)).isEqualTo("true");
                }
                p.fenceAndWait();
                p.stop();
                Pipeline.Cli restore = p.cli("restore", "--to-db", "tls_restored");
                assertThat(restore.code()).as(restore.out() + restore.err()).isZero();
                assertThat(p.verify("tls_restored").differences()).isEmpty();

                Pipeline.Cli wrong = p.cli("-s", "pgscribe.source.sslrootcert=" + otherCrt, "restore", "--to-db", "tls_wrong");
                assertThat(wrong.code()).isNotZero();
                assertThat(wrong.err().toLowerCase()).containsAnyOf("certificate", "pkix", "ssl");
            }
        } finally {
            cluster.close();
        }
    }

    /**
     * A server that takes only client certificates over TLS (cert authentication, as hba
     * {@code cert} or {@code clientcert=verify-full} do): init, capture, restore and verify run
     * with pgscribe.source.sslcert and sslkey, the key in libpq's traditional PEM form (PKCS#1),
     * which pgjdbc does not read by itself. Without the certificate the server refuses.
     */
    @Test
    void aServerThatWantsAClientCertificateGetsOneFromEveryConnection() throws Exception {
        Path certs = Files.createDirectories(tmp.resolve("certs"));
        Path crt = certs.resolve("server.crt");
        Path key = certs.resolve("server.key");
        selfSigned(key, crt);
        Path ca = certs.resolve("client-ca.crt");
        Path caKey = certs.resolve("client-ca.key");
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=client-ca",
                "-keyout", caKey.toString(), "-out", ca.toString());
        Path clientKey8 = certs.resolve("client.pk8");
        Path csr = certs.resolve("client.csr");
        Path clientCrt = certs.resolve("client.crt");
        Path clientKey = certs.resolve("client.key");
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=postgres", "-keyout", clientKey8.toString(),
                "-out", csr.toString());
        openssl("x509", "-req", "-in", csr.toString(), "-CA", ca.toString(), "-CAkey", caKey.toString(),
                "-CAcreateserial", "-days", "2", "-out", clientCrt.toString());
        openssl("rsa", "-in", clientKey8.toString(), "-traditional", "-out", clientKey.toString());
        assertThat(Files.readString(clientKey)).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        Files.setPosixFilePermissions(clientKey, PosixFilePermissions.fromString("rw-------"));
        // TLS connections must show a certificate; the test's own plain connections use the password
        Path hba = certs.resolve("pg_hba.conf");
        Files.writeString(hba, "hostssl all all 127.0.0.1/32 cert\n"
                + "hostssl replication all 127.0.0.1/32 cert\n"
                + "hostnossl all all 127.0.0.1/32 scram-sha-256\n");
        serverReadable(certs, key, crt, ca, hba);
        LocalCluster cluster = LocalCluster.start(tmp, List.of(DecoderPlugin.WAL2JSON.pluginName()),
                List.of("ssl=on", "ssl_cert_file=" + crt, "ssl_key_file=" + key, "ssl_ca_file=" + ca, "hba_file=" + hba));
        try {
            try (Connection c = Pg.connect(cluster.connection("postgres"), "test")) {
                Pg.execute(c, "CREATE DATABASE tlscert");
            }
            try (Pipeline p = new Pipeline(cluster, "tlscert", tmp.resolve("backup"), Map.of(
                    "pgscribe.source.sslmode", "verify-full", "pgscribe.source.sslrootcert", crt.toString(),
                    "pgscribe.source.sslcert", clientCrt.toString(), "pgscribe.source.sslkey", clientKey.toString()))) {
                try (Connection c = p.connect()) {
                    Pg.execute(c, "CREATE TABLE t (id int PRIMARY KEY, v text)");
                }
                Pipeline.Cli init = p.cli("init");
                assertThat(init.code()).as(init.out() + init.err()).isZero();
                p.start();
                try (Connection c = p.connect()) {
                    Pg.execute(c, "INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 50) g");
                    String walsender = "SELECT coalesce(string_agg(s.client_dn, ','), '') FROM pg_stat_ssl s "
                            + "JOIN pg_stat_activity a USING (pid) "
                            + "WHERE a.backend_type = 'walsender' AND a.application_name = 'pgscribe-pgscribe_tlscert'";
                    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                            .until(() -> !Pg.string(c, walsender).isEmpty());
                    assertThat(Pg.string(c, walsender)).isEqualTo("/CN=postgres");
                }
                p.fenceAndWait();
                p.stop();
                Pipeline.Cli restore = p.cli("restore", "--to-db", "tlscert_restored");
                assertThat(restore.code()).as(restore.out() + restore.err()).isZero();
                assertThat(p.verify("tlscert_restored").differences()).isEmpty();

                // the same set without the certificate: the server says no, and the message says why
                Pipeline.Cli without = p.cli("-s", "pgscribe.source.sslcert=", "-s", "pgscribe.source.sslkey=",
                        "restore", "--to-db", "tlscert_without");
                assertThat(without.code()).isNotZero();
                assertThat(without.err().toLowerCase()).contains("certificate");
            }
        } finally {
            cluster.close();
        }
    }

    /** A server certificate for 127.0.0.1 and its key (owner-only, as the server wants it). */
    private static void selfSigned(Path key, Path crt) throws Exception {
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key.toString(), "-out", crt.toString());
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
    }

    /** The server runs as postgres when the tests run as root; it reads these files. */
    private void serverReadable(Path certs, Path... files) throws Exception {
        if (!"root".equals(System.getProperty("user.name"))) {
            return;
        }
        var postgres = tmp.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
        for (Path f : files) {
            Files.setOwner(f, postgres);
        }
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx--x--x"));
        Files.setPosixFilePermissions(certs, PosixFilePermissions.fromString("rwx--x--x"));
    }

    private static void openssl(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
    }
}
