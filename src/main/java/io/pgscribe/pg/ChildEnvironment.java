package io.pgscribe.pg;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The environment of every program pgscribe runs: where programs are, the locale, the home
 * directory (libpq's ~/.postgresql), the temporary directory and the time zone, plus what this
 * one run needs (its password or passfile, PGOPTIONS). Nothing else of the runtime's
 * environment reaches a child: not PGSCRIBE_* (secrets of S3, SMTP, other databases), not PG*
 * settings meant for another server.
 */
public final class ChildEnvironment {

    private ChildEnvironment() {
    }

    static boolean passes(String name) {
        return name.equals("PATH") || name.equals("HOME") || name.equals("TMPDIR") || name.equals("TZ")
                || name.equals("LANG") || name.equals("LANGUAGE") || name.startsWith("LC_");
    }

    /** What a child of a runtime with environment {@code parent} gets, with {@code own} on top. */
    public static Map<String, String> of(Map<String, String> parent, Map<String, String> own) {
        Map<String, String> env = new TreeMap<>();
        parent.forEach((k, v) -> {
            if (passes(k)) {
                env.put(k, v);
            }
        });
        env.putAll(own);
        return env;
    }

    /** Sets {@code pb}'s environment to what a child gets, with {@code own} on top. */
    public static ProcessBuilder apply(ProcessBuilder pb, Map<String, String> own) {
        Map<String, String> env = pb.environment();
        Map<String, String> next = of(System.getenv(), own);
        env.clear();
        env.putAll(next);
        return pb;
    }

    /**
     * The command line that runs {@code executable} with that environment through {@code env -i},
     * for a runner that can only inherit the runtime's (camel-exec). {@code own} must hold no
     * password: a command line is readable by every user of the machine.
     */
    public static List<String> viaEnv(String executable, List<String> args, Map<String, String> own) {
        if (own.containsKey("PGPASSWORD")) {
            throw new IllegalArgumentException("a password never goes on a command line; give the tool a passfile");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(envProgram());
        cmd.add("-i");
        of(System.getenv(), own).forEach((k, v) -> cmd.add(k + "=" + v));
        cmd.add(executable);
        cmd.addAll(args);
        return cmd;
    }

    private static String envProgram() {
        for (String p : List.of("/usr/bin/env", "/bin/env")) {
            if (Files.isExecutable(Path.of(p))) {
                return p;
            }
        }
        return "env";
    }
}
