package io.pgscribe.pg;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * pgjdbc's TLS sockets with a client certificate as libpq takes one: a PEM certificate (with its
 * chain) and a PEM private key (PKCS#1, SEC1 or PKCS#8, unencrypted), so that one pair of files
 * serves pgscribe's own connections and every tool it runs. pgjdbc's own factory reads a key only
 * as PKCS-8 DER or PKCS-12. The server is checked as {@code sslmode} says, as libpq does:
 * verify-ca and verify-full against {@code sslrootcert} (default {@code ~/.postgresql/root.crt});
 * pgjdbc itself then checks the host name for verify-full. require and prefer do not check it.
 * pgjdbc makes it from the connection's properties ({@code sslfactory}).
 */
public final class PemClientCertFactory extends org.postgresql.ssl.WrappedFactory {

    public PemClientCertFactory(Properties info) throws GeneralSecurityException, IOException {
        String mode = info.getProperty("sslmode", "prefer");
        Path cert = Path.of(info.getProperty("sslcert"));
        String keyName = info.getProperty("sslkey", "");
        if (keyName.isEmpty()) {
            throw new PgscribeException("pgscribe.source.sslcert is set and pgscribe.source.sslkey is not",
                    "Set pgscribe.source.sslkey to the certificate's private key (PEM).", ExitCode.USAGE, null);
        }
        Path key = Path.of(keyName);
        String rootName = info.getProperty("sslrootcert");
        Path root = rootName == null || rootName.isEmpty()
                ? Path.of(System.getProperty("user.home"), ".postgresql", "root.crt") : Path.of(rootName);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers(cert, key), mode.startsWith("verify") ? trustManagers(root) : new TrustManager[] {ANY_SERVER},
                null);
        this.factory = context.getSocketFactory(); // WrappedFactory hands every socket call to it
    }

    /** Why libpq would refuse {@code key} (and pgscribe does too), or null: its rule on who may read it. */
    public static String keyFileProblem(Path key) throws IOException {
        PosixFileAttributes a = Files.readAttributes(key, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        Set<PosixFilePermission> p = a.permissions();
        boolean others = p.contains(PosixFilePermission.OTHERS_READ) || p.contains(PosixFilePermission.OTHERS_WRITE)
                || p.contains(PosixFilePermission.OTHERS_EXECUTE);
        boolean groupWrites = p.contains(PosixFilePermission.GROUP_WRITE) || p.contains(PosixFilePermission.GROUP_EXECUTE);
        boolean groupReads = p.contains(PosixFilePermission.GROUP_READ);
        boolean rootOwned = "root".equals(a.owner().getName());
        if (others || groupWrites || (groupReads && !rootOwned)) {
            return "the private key file " + key + " can be read or changed by others than its owner (mode "
                    + java.nio.file.attribute.PosixFilePermissions.toString(p) + "); libpq refuses it too";
        }
        return null;
    }

    private static javax.net.ssl.KeyManager[] keyManagers(Path cert, Path key) throws GeneralSecurityException, IOException {
        String problem = keyFileProblem(key);
        if (problem != null) {
            throw new PgscribeException(problem, "chmod 600 " + key + " (or 640, owned by root).", ExitCode.USAGE, null);
        }
        List<? extends Certificate> chain = certificates(cert);
        if (chain.isEmpty()) {
            throw new PgscribeException(cert + " holds no PEM certificate", "Give pgscribe.source.sslcert the client "
                    + "certificate as openssl writes it (-----BEGIN CERTIFICATE-----).", ExitCode.USAGE, null);
        }
        PrivateKey privateKey = privateKey(key);
        char[] password = new char[0]; // the store lives in memory only
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("client", privateKey, password, chain.toArray(Certificate[]::new));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, password);
        return kmf.getKeyManagers();
    }

    static PrivateKey privateKey(Path key) throws IOException {
        Object o;
        try (Reader r = Files.newBufferedReader(key, StandardCharsets.US_ASCII); PEMParser parser = new PEMParser(r)) {
            o = parser.readObject();
        }
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        if (o instanceof PEMKeyPair pair) {
            return converter.getKeyPair(pair).getPrivate();
        }
        if (o instanceof PrivateKeyInfo info) {
            return converter.getPrivateKey(info);
        }
        if (o instanceof PEMEncryptedKeyPair || o instanceof PKCS8EncryptedPrivateKeyInfo) {
            throw new PgscribeException("the private key " + key + " is encrypted", "pgscribe and the tools it runs read "
                    + "it without asking for a passphrase: write it unencrypted (openssl pkey -in KEY -out PLAIN.key) and keep "
                    + "it owner-only.", ExitCode.USAGE, null);
        }
        throw new PgscribeException(key + " holds no PEM private key", "Give pgscribe.source.sslkey the key as openssl "
                + "writes it (-----BEGIN PRIVATE KEY----- or -----BEGIN RSA/EC PRIVATE KEY-----).", ExitCode.USAGE, null);
    }

    private static List<? extends Certificate> certificates(Path file) throws GeneralSecurityException, IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return List.copyOf(CertificateFactory.getInstance("X.509").generateCertificates(in));
        }
    }

    private static TrustManager[] trustManagers(Path root) throws GeneralSecurityException, IOException {
        if (!Files.isReadable(root)) {
            throw new PgscribeException("sslmode asks to verify the server, and there is no root certificate file " + root,
                    "Set pgscribe.source.sslrootcert to the CA file that signed the server's certificate.", ExitCode.USAGE,
                    null);
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        int i = 0;
        for (Certificate c : certificates(root)) {
            store.setCertificateEntry("ca" + i++, c);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        return tmf.getTrustManagers();
    }

    /** sslmode require and prefer: encrypted, the server not checked (libpq's meaning of them). */
    private static final X509TrustManager ANY_SERVER = new X509TrustManager() {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    };
}
