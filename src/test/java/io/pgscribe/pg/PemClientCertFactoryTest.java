package io.pgscribe.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keys as openssl writes them, in each PEM form libpq reads. */
class PemClientCertFactoryTest {

    @TempDir
    Path dir;

    private Path openssl(String name, String... args) throws Exception {
        Path out = dir.resolve(name);
        List<String> cmd = new java.util.ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("-out", out.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String printed = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(printed).isZero();
        Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rw-------"));
        return out;
    }

    @Test
    void everyPemFormOfAnUnencryptedKeyIsRead() throws Exception {
        Path pkcs8 = openssl("p8.key", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048");
        Path pkcs1 = openssl("p1.key", "rsa", "-in", pkcs8.toString(), "-traditional");
        Path sec1 = openssl("ec.key", "ecparam", "-name", "prime256v1", "-genkey", "-noout");
        assertThat(Files.readString(pkcs1)).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        PrivateKey a = PemClientCertFactory.privateKey(pkcs8);
        PrivateKey b = PemClientCertFactory.privateKey(pkcs1);
        assertThat(a.getAlgorithm()).isEqualTo("RSA");
        assertThat(b.getEncoded()).isEqualTo(a.getEncoded()); // the same key, whichever form holds it
        assertThat(PemClientCertFactory.privateKey(sec1).getAlgorithm()).isIn("EC", "ECDSA");
    }

    @Test
    void anEncryptedKeyOrACertificateInItsPlaceIsRefusedSayingWhatToDo() throws Exception {
        Path plain = openssl("p8.key", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048");
        Path encrypted = openssl("enc.key", "pkey", "-in", plain.toString(), "-aes256", "-passout", "pass:x");
        assertThatThrownBy(() -> PemClientCertFactory.privateKey(encrypted)).isInstanceOfSatisfying(PgscribeException.class,
                e -> {
                    assertThat(e.getMessage()).endsWith("is encrypted");
                    assertThat(e.hint()).contains("openssl pkey");
                    assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE);
                });
        Path cert = openssl("c.crt", "req", "-x509", "-key", plain.toString(), "-days", "1", "-subj", "/CN=app");
        assertThatThrownBy(() -> PemClientCertFactory.privateKey(cert)).hasMessageEndingWith("holds no PEM private key");
    }

    @Test
    void aKeyOthersCanReadIsRefusedAsLibpqRefusesIt() throws Exception {
        Path key = openssl("p8.key", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048");
        Path cert = openssl("c.crt", "req", "-x509", "-key", key.toString(), "-days", "1", "-subj", "/CN=app");
        assertThat(PemClientCertFactory.keyFileProblem(key)).isNull();
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw----r--"));
        assertThat(PemClientCertFactory.keyFileProblem(key)).contains("can be read or changed by others");
        Properties info = new Properties();
        info.setProperty("sslmode", "require");
        info.setProperty("sslcert", cert.toString());
        info.setProperty("sslkey", key.toString());
        assertThatThrownBy(() -> new PemClientCertFactory(info)).isInstanceOf(PgscribeException.class)
                .hasMessageContaining("libpq refuses it too");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        assertThat(new PemClientCertFactory(info).getSupportedCipherSuites()).isNotEmpty();
        info.setProperty("sslmode", "verify-full");
        info.setProperty("sslrootcert", dir.resolve("none.crt").toString());
        assertThatThrownBy(() -> new PemClientCertFactory(info)).hasMessageContaining("no root certificate file");
    }
}
