package io.pgscribe.base;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * pg_dump and pg_dumpall processes a killed runtime left: their command line writes a
 * {@code .partial} into this backup set (only pgscribe runs a tool with such a file). Found
 * through /proc; stopped with SIGTERM, then SIGKILL, before their file is removed.
 */
final class OrphanedDumps {

    private OrphanedDumps() {
    }

    /** The pids of dump tools whose {@code --file=} is a {@code .partial} in {@code backupDir}'s base/ or globals/. */
    static List<Long> find(Path backupDir) {
        List<Long> out = new ArrayList<>();
        Path proc = Path.of("/proc");
        if (!Files.isDirectory(proc)) {
            return out;
        }
        List<String> prefixes = new ArrayList<>();
        for (Path d : List.of(backupDir.toAbsolutePath(), realOr(backupDir))) {
            prefixes.add("--file=" + d.resolve("base") + "/");
            prefixes.add("--file=" + d.resolve("globals") + "/");
        }
        try (var entries = Files.list(proc)) {
            for (Path p : (Iterable<Path>) entries::iterator) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit) || Long.parseLong(name) == ProcessHandle.current().pid()) {
                    continue;
                }
                Optional<String[]> argv = argv(p);
                // only our own: another user's process named like a dump is not ours to stop
                if (argv.isPresent() && isDump(argv.get(), prefixes) && ownedByUs(p)) {
                    out.add(Long.parseLong(name));
                }
            }
        } catch (IOException e) {
            return out;
        }
        return out;
    }

    static boolean isDump(String[] argv, List<String> prefixes) {
        if (argv.length == 0) {
            return false;
        }
        String tool = Path.of(argv[0]).getFileName().toString();
        if (!tool.equals("pg_dump") && !tool.equals("pg_dumpall")) {
            return false;
        }
        for (String a : argv) {
            for (String prefix : prefixes) {
                if (a.startsWith(prefix) && a.endsWith(".partial")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Stops every orphaned dump of {@code backupDir}; returns their pids. */
    static List<Long> stop(Path backupDir) {
        List<Long> pids = find(backupDir);
        for (long pid : pids) {
            ProcessHandle.of(pid).ifPresent(h -> {
                h.destroy();
                try {
                    h.onExit().get(Duration.ofSeconds(10).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
                } catch (Exception e) {
                    h.destroyForcibly();
                }
            });
        }
        return pids;
    }

    private static Optional<String[]> argv(Path procEntry) {
        try {
            String raw = new String(Files.readAllBytes(procEntry.resolve("cmdline")), StandardCharsets.UTF_8);
            return raw.isEmpty() ? Optional.empty() : Optional.of(raw.split("\0"));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // gone, or another user's
        }
    }

    private static boolean ownedByUs(Path procEntry) {
        try {
            return Files.getOwner(procEntry).getName().equals(System.getProperty("user.name"));
        } catch (IOException e) {
            return false;
        }
    }

    private static Path realOr(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath();
        }
    }
}
