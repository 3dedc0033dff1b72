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

    /** Per-database settings: {@code pgscribe.database.orders.slot.name} overrides {@code pgscribe.slot.name} for orders. */
    public static final String DATABASE_PREFIX = "pgscribe.database.";
    // a pipeline name becomes part of a slot name, a directory, an S3 prefix and environment variables
    private static final java.util.regex.Pattern PIPELINE_NAME = java.util.regex.Pattern.compile("[a-z][a-z0-9_]{0,39}");

    private final Map<String, String> values;
    private final Path file;
    private final String pipeline;

    private Settings(Map<String, String> values, Path file, String pipeline) {
        this.values = values;
        this.file = file;
        this.pipeline = pipeline;
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
        java.util.Set<String> explicit = new java.util.HashSet<>();
        system.stringPropertyNames().stream().filter(k -> k.startsWith("pgscribe.") || k.startsWith("camel."))
                .forEach(k -> {
                    merged.put(k, system.getProperty(k));
                    explicit.add(k);
                });
        overrides.forEach((k, v) -> {
            if (v != null) {
                merged.put(k, v);
                explicit.add(k);
            }
        });
        // PGSCRIBE_DATABASE_ORDERS_SOURCE_PASSWORD: a per-database secret also stays out of the file. Read once the
        // list of databases is final (a -s flag may set it), and below -D and -s as every environment variable is.
        for (String name : databases(merged.get(Setting.DATABASES.key()))) {
            for (Setting s : Setting.values()) {
                String key = perDatabaseKey(name, s);
                String fromEnv = env.get(Setting.environmentVariable(key));
                if (fromEnv != null && s != Setting.DATABASES && !explicit.contains(key)) {
                    merged.put(key, fromEnv);
                }
            }
        }
        java.util.List<String> databases = checkedDatabases(merged.get(Setting.DATABASES.key()));
        String where = file != null ? " (in " + file + " or -s)" : "";
        // a misspelled key would silently leave the default in force: refuse it, naming the key meant
        for (String key : merged.keySet()) {
            if (key.startsWith(DATABASE_PREFIX)) {
                checkPerDatabaseKey(key, databases, where);
            } else if (key.startsWith("pgscribe.") && !Setting.byKey().containsKey(key)) {
                throw new PgscribeException("unknown setting " + key + where,
                        "Did you mean " + closest(key) + "? `pgscribe config` lists every setting.", ExitCode.USAGE, null);
            }
        }
        return new Settings(merged, file, null);
    }

    private static String perDatabaseKey(String name, Setting s) {
        return DATABASE_PREFIX + name + "." + s.key().substring("pgscribe.".length());
    }

    private static java.util.List<String> databases(String list) {
        if (list == null || list.isBlank()) {
            return java.util.List.of();
        }
        return java.util.Arrays.stream(list.split(",")).map(String::strip).filter(n -> !n.isEmpty()).toList();
    }

    private static java.util.List<String> checkedDatabases(String list) {
        java.util.List<String> names = databases(list);
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (String name : names) {
            if (!PIPELINE_NAME.matcher(name).matches()) {
                throw new PgscribeException("pgscribe.databases names \"" + name + "\", which is not a pipeline name",
                        "Use lower-case letters, digits and _ (at most 40, starting with a letter); the database itself "
                                + "may be called anything: set pgscribe.database." + name.toLowerCase(java.util.Locale.ROOT)
                                .replaceAll("[^a-z0-9_]", "_") + ".source.database.", ExitCode.USAGE, null);
            }
            if (!seen.add(name)) {
                throw new PgscribeException("pgscribe.databases names " + name + " twice",
                        "Name each pipeline once.", ExitCode.USAGE, null);
            }
        }
        return names;
    }

    private static void checkPerDatabaseKey(String key, java.util.List<String> databases, String where) {
        String rest = key.substring(DATABASE_PREFIX.length());
        int dot = rest.indexOf('.');
        String name = dot < 0 ? rest : rest.substring(0, dot);
        if (!databases.contains(name)) {
            String hint = databases.isEmpty() ? "List the pipelines first: pgscribe.databases=" + name + ",..."
                    : "pgscribe.databases lists " + String.join(", ", databases) + "; did you mean "
                    + DATABASE_PREFIX + closest(name, databases) + (dot < 0 ? "" : rest.substring(dot)) + "?";
            throw new PgscribeException("setting " + key + where + " is for a database pgscribe.databases does not list",
                    hint, ExitCode.USAGE, null);
        }
        String shared = "pgscribe." + (dot < 0 ? "" : rest.substring(dot + 1));
        if (!Setting.byKey().containsKey(shared) || shared.equals(Setting.DATABASES.key())) {
            java.util.List<String> keys = Setting.byKey().keySet().stream().filter(k -> !k.equals(Setting.DATABASES.key()))
                    .toList();
            throw new PgscribeException("unknown setting " + key + where,
                    "Did you mean " + DATABASE_PREFIX + name + "." + closest(shared, keys).substring("pgscribe.".length())
                            + "? Any pgscribe.* setting can be set per database this way.", ExitCode.USAGE, null);
        }
    }

    /** The known key nearest to {@code key} by edit distance. */
    static String closest(String key) {
        return closest(key, Setting.byKey().keySet());
    }

    private static String closest(String key, java.util.Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : candidates) {
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
     * Settings from the defaults and {@code values} only (no file, no environment): for the
     * demo and tests, which must not pick up an operator's settings.
     */
    public static Settings ofDefaultsWith(Map<String, String> values) {
        return load(null, values, Map.of(), new Properties());
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
        return new Settings(copy, file, pipeline);
    }

    /** The pipelines {@code pgscribe.databases} lists, in order; empty when it lists none (one pipeline). */
    public java.util.List<String> databases() {
        return pipeline != null ? java.util.List.of(pipeline) : databases(values.get(Setting.DATABASES.key()));
    }

    /** The name of the pipeline these settings are of, or null: the one pipeline of a runtime without pgscribe.databases. */
    public String pipeline() {
        return pipeline;
    }

    /** Every pipeline's settings: one per listed database, or these settings alone. */
    public java.util.List<Settings> pipelines() {
        if (pipeline != null || databases().isEmpty()) {
            return java.util.List.of(this);
        }
        return databases().stream().map(this::forDatabase).toList();
    }

    /**
     * The settings of pipeline {@code name}: each {@code pgscribe.database.NAME.*} over the shared value,
     * and where none is set, what must differ between pipelines follows from the name: the database
     * (NAME), the slot ({@code <slot>_NAME}), the backup directory ({@code <dir>/NAME}) and the S3 prefix
     * ({@code <prefix>/NAME}, or NAME).
     */
    public Settings forDatabase(String name) {
        java.util.List<String> listed = databases(values.get(Setting.DATABASES.key()));
        if (!listed.contains(name)) {
            throw new PgscribeException("there is no database " + name + " in this configuration",
                    listed.isEmpty() ? "pgscribe.databases is empty: leave out --database, or list the pipelines in it."
                            : "pgscribe.databases lists " + String.join(", ", listed) + ".", ExitCode.USAGE, null);
        }
        Map<String, String> own = new LinkedHashMap<>();
        values.forEach((k, v) -> {
            if (!k.startsWith(DATABASE_PREFIX)) {
                own.put(k, v);
            }
        });
        own.put(Setting.SOURCE_DATABASE.key(), name);
        own.put(Setting.SLOT_NAME.key(), get(Setting.SLOT_NAME).strip() + "_" + name);
        own.put(Setting.BACKUP_DIR.key(), getPath(Setting.BACKUP_DIR).resolve(name).toString());
        String prefix = trimSlashes(get(Setting.S3_PREFIX).strip());
        own.put(Setting.S3_PREFIX.key(), prefix.isEmpty() ? name : prefix + "/" + name);
        for (Setting s : Setting.values()) {
            String v = values.get(perDatabaseKey(name, s));
            if (v != null) {
                own.put(s.key(), v);
            }
        }
        own.put(Setting.DATABASES.key(), "");
        return new Settings(own, file, name);
    }

    private static String trimSlashes(String s) {
        return s.replaceAll("^/+|/+$", "");
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
