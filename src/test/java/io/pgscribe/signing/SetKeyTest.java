package io.pgscribe.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgscribe.PgscribeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SetKeyTest {

    @TempDir
    Path tmp;

    private final byte[] data = "{\"format\":1}".getBytes(StandardCharsets.UTF_8);

    @Test
    void aKeyWrittenAndReadBackSignsAndItsPublicHalfVerifies() throws Exception {
        SetKey key = SetKey.generate();
        key.write(tmp.resolve("k"), tmp.resolve("k.pub"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("k")))).isEqualTo("rw-------");
        assertThat(Files.readString(tmp.resolve("k"))).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(Files.readString(tmp.resolve("k.pub"))).startsWith("-----BEGIN PUBLIC KEY-----");

        SetKey signer = SetKey.read(tmp.resolve("k"));
        SetKey checker = SetKey.read(tmp.resolve("k.pub"));
        assertThat(signer.id()).isEqualTo(key.id()).isEqualTo(checker.id()).startsWith("ed25519:").hasSize(24);
        assertThat(checker.canSign()).isFalse();
        String sig = signer.sign(data);
        assertThat(checker.verifies(data, sig)).isTrue();
        byte[] changed = data.clone();
        changed[2] ^= 1;
        assertThat(checker.verifies(changed, sig)).isFalse();
        assertThat(checker.verifies(data, "not base64 !")).isFalse();
        assertThat(SetKey.generate().verifies(data, sig)).isFalse();
        assertThatThrownBy(() -> checker.sign(data)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void readsTheKeysOpensslWrites() throws Exception {
        // openssl genpkey -algorithm ed25519 (RFC 8410's example key), and openssl pkey -pubout of it
        Path priv = tmp.resolve("openssl.key");
        Files.writeString(priv, "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC\n"
                + "-----END PRIVATE KEY-----\n");
        Files.setPosixFilePermissions(priv, PosixFilePermissions.fromString("rw-------"));
        Path pub = tmp.resolve("openssl.pub");
        Files.writeString(pub, "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n"
                + "-----END PUBLIC KEY-----\n");
        SetKey k = SetKey.read(priv);
        assertThat(SetKey.read(pub).verifies(data, k.sign(data))).isTrue();
        assertThat(SetKey.read(pub).id()).isEqualTo(k.id());
    }

    @Test
    void refusesAPrivateKeyOthersCanReadAndFilesThatAreNoEd25519Key() throws Exception {
        SetKey key = SetKey.generate();
        key.write(tmp.resolve("k"), tmp.resolve("k.pub"));
        Files.setPosixFilePermissions(tmp.resolve("k"), PosixFilePermissions.fromString("rw-r--r--"));
        Path link = tmp.resolve("mounted-secret");
        Files.createSymbolicLink(link, tmp.resolve("k"));
        assertThatThrownBy(() -> SetKey.read(link)).hasMessageContaining("can be read or written by others");
        Files.setPosixFilePermissions(tmp.resolve("k"), PosixFilePermissions.fromString("r--------"));
        assertThat(SetKey.read(link).id()).as("a link is judged by the file it names").isEqualTo(key.id());
        Files.setPosixFilePermissions(tmp.resolve("k"), PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> SetKey.read(tmp.resolve("k"))).isInstanceOf(PgscribeException.class)
                .hasMessageContaining("can be read or written by others").extracting(e -> ((PgscribeException) e).hint())
                .asString().contains("chmod 600");

        Files.writeString(tmp.resolve("rsa"), "-----BEGIN PUBLIC KEY-----\nMFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf\n"
                + "9Cnzj4p4WGeKLs1Pt8QuKUpRKfFLfRYC9AIKjbJTWit+CqvjWYzvQwECAwEAAQ==\n-----END PUBLIC KEY-----\n");
        assertThatThrownBy(() -> SetKey.read(tmp.resolve("rsa"))).isInstanceOf(PgscribeException.class)
                .hasMessageContaining("not Ed25519");
        Files.writeString(tmp.resolve("text"), "password=secret\n");
        assertThatThrownBy(() -> SetKey.read(tmp.resolve("text"))).isInstanceOf(PgscribeException.class)
                .hasMessageContaining("holds no PEM block");
        assertThatThrownBy(() -> SetKey.read(tmp.resolve("missing"))).isInstanceOf(PgscribeException.class)
                .hasMessageContaining("does not exist");
    }

    @Test
    void neverWritesOverAFileOrThroughALink() throws Exception {
        Path target = tmp.resolve("victim");
        Files.writeString(target, "keep");
        Files.createSymbolicLink(tmp.resolve("k"), target);
        assertThatThrownBy(() -> SetKey.generate().write(tmp.resolve("k"), tmp.resolve("k.pub")))
                .isInstanceOf(java.io.UncheckedIOException.class);
        assertThat(Files.readString(target)).isEqualTo("keep");
    }

    @Test
    void opensslVerifiesWhatAKeyOpensslMadeSigns() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "no openssl here");
        Path priv = tmp.resolve("made-by-openssl.key");
        run("openssl", "genpkey", "-algorithm", "ed25519", "-out", priv.toString());
        Files.setPosixFilePermissions(priv, PosixFilePermissions.fromString("rw-------"));
        Path pub = tmp.resolve("made-by-openssl.pub");
        run("openssl", "pkey", "-in", priv.toString(), "-pubout", "-out", pub.toString());
        Path in = tmp.resolve("data");
        Files.write(in, data);
        Path sig = tmp.resolve("data.sig");
        Files.write(sig, java.util.Base64.getDecoder().decode(SetKey.read(priv).sign(data)));
        assertThat(run("openssl", "pkeyutl", "-verify", "-pubin", "-inkey", pub.toString(), "-rawin", "-in", in.toString(),
                "-sigfile", sig.toString())).contains("Signature Verified Successfully");
        assertThat(SetKey.read(pub).id()).isEqualTo(SetKey.read(priv).id());
    }

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }
}
