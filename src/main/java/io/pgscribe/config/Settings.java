package io.pgscribe.config;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The resolved configuration. For each key, the first of: an explicit override (a CLI
 * flag), a {@code -D} system property, the environment variable ({@code PGSCRIBE_...}),
 * {@code application.properties}, the default. Keys outside {@code pgscribe.*} (e.g.
 * {@code camel.*}) pass through to the Camel runtime untouched.
 */
public final class Settings {

    private final Map<String, String> values;
    private final Path file;

    private Settings(Map<String, String> values, Path file) {
        this.values = values;
        this.file = file;
    }

    /** Loads {@code file} (may be null or missing: defaults only) and applies the environment and overrides. */
    public static Settings load(Path file, Map<String, String> overrides) {
        return load(file, overrides, System.getenv(), System.getProperties());
    }

    public static Settings load(Path file, Map<String, String> overrides, Map<String, String> env, Properties system) {
        Map<String, String> merged = new LinkedHashMap<>();
        for (Setting s : Setting.values()) {
            merged.put(s.key(), s.defaultValue());
        }
        if (file != null) {
            if (!Files.exists(file)) {
                throw new PgscribeException("configuration file " + file + " does not exist",
                        "Pass --config with the path of your application.properties, or leave it out to use the defaults.",
                        ExitCode.USAGE, null);
            }
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            } catch (IOException e) {
                throw new PgscribeException("cannot read " + file + ": " + e.getMessage(),
                        "Check that the file is readable.", ExitCode.USAGE, e);
            }
            p.stringPropertyNames().forEach(k -> merged.put(k, p.getProperty(k).strip()));
        }
        for (String key : merged.keySet().toArray(new String[0])) {
            String fromEnv = env.get(Setting.environmentVariable(key));
            if (fromEnv != null) {
                merged.put(key, fromEnv);
            }
        }
        for (Setting s : Setting.values()) {
            String fromEnv = env.get(s.environmentVariable());
            if (fromEnv != null) {
                merged.put(s.key(), fromEnv);
            }
        }
        system.stringPropertyNames().stream().filter(k -> k.startsWith("pgscribe.") || k.startsWith("camel."))
                .forEach(k -> merged.put(k, system.getProperty(k)));
        overrides.forEach((k, v) -> {
            if (v != null) {
                merged.put(k, v);
            }
        });
        // a misspelled key would silently leave the default in force: refuse it, naming the key meant
        for (String key : merged.keySet()) {
            if (key.startsWith("pgscribe.") && !Setting.byKey().containsKey(key)) {
                throw new PgscribeException("unknown setting " + key + (file != null ? " (in " + file + " or -s)" : ""),
                        "Did you mean " + closest(key) + "? `pgscribe config` lists every setting.", ExitCode.USAGE, null);
            }
        }
        return new Settings(merged, file);
    }

    /** The known key nearest to {@code key} by edit distance. */
    static String closest(String key) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : Setting.byKey().keySet()) {
            int d = distance(key, k);
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        return best;
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /**
     * Settings for a pipeline of {@code source}, from the defaults only (no file, no
     * environment): for the demo and tests, which must not pick up an operator's settings.
     */
    public static Settings forSource(io.pgscribe.server.ConnectionSpec source, Map<String, String> extra) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put(Setting.SOURCE_HOST.key(), source.host());
        s.put(Setting.SOURCE_PORT.key(), Integer.toString(source.port()));
        s.put(Setting.SOURCE_DATABASE.key(), source.database());
        s.put(Setting.SOURCE_USER.key(), source.user());
        if (source.password() != null) {
            s.put(Setting.SOURCE_PASSWORD.key(), source.password());
        }
        s.put(Setting.SOURCE_SSLMODE.key(), source.sslmode());
        s.putAll(extra);
        return load(null, s, Map.of(), new Properties());
    }

    public static Settings defaults() {
        return load(null, Map.of());
    }

    public Settings with(Map<String, String> overrides) {
        Map<String, String> copy = new LinkedHashMap<>(values);
        overrides.forEach((k, v) -> {
            if (v != null) {
                copy.put(k, v);
            }
        });
        return new Settings(copy, file);
    }

    public Path file() {
        return file;
    }

    public String get(Setting s) {
        return values.getOrDefault(s.key(), s.defaultValue());
    }

    public String get(String key) {
        return values.get(key);
    }

    public int getInt(Setting s) {
        String v = get(s);
        try {
            return Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
            throw invalid(s, v, "a whole number");
        }
    }

    public long getLong(Setting s) {
        String v = get(s);
        try {
            return Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            throw invalid(s, v, "a whole number");
        }
    }

    public boolean getBoolean(Setting s) {
        String v = get(s).strip().toLowerCase(java.util.Locale.ROOT);
        if (v.equals("true") || v.equals("false")) {
            return Boolean.parseBoolean(v);
        }
        throw invalid(s, get(s), "true or false");
    }

    public Duration getSeconds(Setting s) {
        return Duration.ofSeconds(getLong(s));
    }

    public Path getPath(Setting s) {
        return Path.of(get(s));
    }

    /** Every resolved value, for the Camel runtime's placeholders. */
    public Map<String, String> asMap() {
        return new HashMap<>(values);
    }

    private static PgscribeException invalid(Setting s, String value, String expected) {
        return new PgscribeException(s.key() + " is \"" + value + "\", which is not " + expected,
                "Fix it in application.properties or in " + s.environmentVariable() + ".", ExitCode.USAGE, null);
    }
}
