package io.pgscribe.pg;

import io.pgscribe.config.Setting;
import io.pgscribe.config.Settings;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * How to reach a database. The password never goes on a command line: tools get it
 * through their environment ({@code PGPASSWORD}) or a passfile ({@code PGPASSFILE}),
 * and {@link #toString()} leaves it out.
 */
public record ConnectionSpec(String host, int port, String database, String user, String password, String passfile,
                             String sslmode, String sslrootcert, String sslcert, String sslkey) {

    public ConnectionSpec(String host, int port, String database, String user, String password, String passfile,
                          String sslmode, String sslrootcert) {
        this(host, port, database, user, password, passfile, sslmode, sslrootcert, null, null);
    }

    public ConnectionSpec(String host, int port, String database, String user, String password, String passfile,
                          String sslmode) {
        this(host, port, database, user, password, passfile, sslmode, null);
    }

    /** Pipeline settings of this source from the defaults and {@code extra} only: see {@link Settings#ofDefaultsWith}. */
    public Settings pipelineSettings(Map<String, String> extra) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put(Setting.SOURCE_HOST.key(), host);
        s.put(Setting.SOURCE_PORT.key(), Integer.toString(port));
        s.put(Setting.SOURCE_DATABASE.key(), database);
        s.put(Setting.SOURCE_USER.key(), user);
        if (password != null) {
            s.put(Setting.SOURCE_PASSWORD.key(), password);
        }
        s.put(Setting.SOURCE_SSLMODE.key(), sslmode);
        s.putAll(extra);
        return Settings.ofDefaultsWith(s);
    }

    public static ConnectionSpec source(Settings s) {
        return new ConnectionSpec(s.get(Setting.SOURCE_HOST), s.getInt(Setting.SOURCE_PORT), s.get(Setting.SOURCE_DATABASE),
                s.get(Setting.SOURCE_USER), emptyToNull(s.get(Setting.SOURCE_PASSWORD)),
                emptyToNull(s.get(Setting.SOURCE_PASSFILE)), s.get(Setting.SOURCE_SSLMODE),
                emptyToNull(s.get(Setting.SOURCE_SSLROOTCERT)), emptyToNull(s.get(Setting.SOURCE_SSLCERT)),
                emptyToNull(s.get(Setting.SOURCE_SSLKEY)));
    }

    public ConnectionSpec withDatabase(String db) {
        return new ConnectionSpec(host, port, db, user, password, passfile, sslmode, sslrootcert, sslcert, sslkey);
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://" + hostForUrl() + ":" + port + "/" + urlEncode(database);
    }

    public Properties jdbcProperties(String applicationName) {
        Properties p = new Properties();
        p.setProperty("user", user);
        if (password != null) {
            p.setProperty("password", password);
        } else if (passfile != null) {
            PassfileReader.password(java.nio.file.Path.of(passfile), host, port, database, user)
                    .ifPresent(pw -> p.setProperty("password", pw));
        }
        p.setProperty("sslmode", sslmode == null ? "prefer" : sslmode);
        if (sslrootcert != null) {
            p.setProperty("sslrootcert", sslrootcert); // the same file libpq's tools get: one trust for both
        }
        if (sslcert != null) {
            // libpq reads the key as PEM, pgjdbc's own factory only as PKCS-8 DER or PKCS-12: this one reads libpq's file
            p.setProperty("sslcert", sslcert);
            p.setProperty("sslkey", sslkey == null ? "" : sslkey);
            p.setProperty("sslfactory", PemClientCertFactory.class.getName());
        }
        p.setProperty("ApplicationName", applicationName);
        return p;
    }

    /** A libpq connection string without the password, for {@code -d}. */
    public String conninfo(String applicationName) {
        return "host=" + quote(host) + " port=" + port + " dbname=" + quote(database) + " user=" + quote(user)
                + " sslmode=" + quote(sslmode == null ? "prefer" : sslmode)
                + (sslrootcert == null ? "" : " sslrootcert=" + quote(sslrootcert))
                + (sslcert == null ? "" : " sslcert=" + quote(sslcert))
                + (sslkey == null ? "" : " sslkey=" + quote(sslkey))
                + " application_name=" + quote(applicationName);
    }

    /** Environment for a libpq tool: the secret goes here, never into its arguments. */
    public Map<String, String> toolEnvironment() {
        Map<String, String> env = new HashMap<>();
        if (password != null) {
            env.put("PGPASSWORD", password);
        }
        if (passfile != null) {
            env.put("PGPASSFILE", passfile);
        }
        return env;
    }

    /** {@code user@host:port/db}, for messages. */
    public String describe() {
        return user + "@" + host + ":" + port + "/" + database;
    }

    @Override
    public String toString() {
        return describe();
    }

    private String hostForUrl() {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    private static String urlEncode(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }

    static String quote(String v) {
        return "'" + v.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    private static String emptyToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
