package io.pgscribe.retention;

import io.pgscribe.manifest.BaseEntry;
import io.pgscribe.manifest.Manifest;
import io.pgscribe.manifest.ManifestStore;
import io.pgscribe.storage.DurableFiles;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the retention policy to a backup set: the manifest drops the removed entries and
 * lists the files to delete first, then the files go, then the list is cleared. A crash in
 * between leaves the list, and the next run finishes it; the manifest never names a missing
 * file. Only files the manifest listed are ever deleted; the spool never.
 */
public final class Pruner {

    private static final Logger LOG = LoggerFactory.getLogger(Pruner.class);

    private final ManifestStore store;
    private final RetentionPolicy policy;
    private final Clock clock;
    private final boolean shipping;

    public Pruner(ManifestStore store, RetentionPolicy policy, Clock clock) {
        this(store, policy, clock, false);
    }

    /** {@code shipping}: the ship route is on, so a file is deleted locally only once the store holds it. */
    public Pruner(ManifestStore store, RetentionPolicy policy, Clock clock, boolean shipping) {
        this.store = store;
        this.policy = policy;
        this.clock = clock;
        this.shipping = shipping;
    }

    private RetentionPolicy.Plan plan(Manifest m, Instant now) {
        RetentionPolicy.Plan plan = policy.plan(m, now);
        return shipping ? plan.keepingUnshipped(m, m.shippingState()::isShipped) : plan;
    }

    /** What a run removed (or would remove, with {@code dryRun}). */
    public record Result(RetentionPolicy.Plan plan, long bytesRemoved, boolean dryRun) {
    }

    /** For the prune route: prunes and logs what went. */
    public Result prune() {
        Result r = prune(false, null);
        LOG.info("Pruned {} file(s) ({} bytes); point-in-time restores start at {}", r.plan().removals().size(),
                r.bytesRemoved(), r.plan().windowBase() == null ? "-" : r.plan().windowBase().takenAt());
        return r;
    }

    public Result prune(boolean dryRun, PrintStream out) {
        Path dir = store.file().getParent();
        if (!dryRun) {
            finishPending(dir);
        }
        Instant now = clock.instant();
        AtomicReference<RetentionPolicy.Plan> planned = new AtomicReference<>();
        if (dryRun) {
            planned.set(plan(store.load(), now));
        } else {
            store.update(m -> {
                RetentionPolicy.Plan plan = plan(m, now);
                planned.set(plan);
                if (!plan.removesAnything()) {
                    return m;
                }
                List<String> files = plan.removals().stream().map(RetentionPolicy.Removal::file).toList();
                // the store's copies go too, once a manifest without them has been shipped
                return plan.apply(m).withRetention(new Manifest.Retention(plan.windowBase().consistentPoint(),
                        now.toString(), files)).withShipping(m.shippingState().withRemoved(files));
            });
        }
        RetentionPolicy.Plan plan = planned.get();
        long bytes = 0;
        for (RetentionPolicy.Removal r : plan.removals()) {
            bytes += size(dir.resolve(r.file()));
            if (out != null) {
                out.println((dryRun ? "would remove  " : "removed  ") + r.file() + "  (" + r.reason() + ")");
            }
        }
        if (!dryRun && plan.removesAnything()) {
            finishPending(dir);
        }
        if (out != null) {
            for (RetentionPolicy.Removal r : plan.deferred()) {
                out.println("keep  " + r.file() + "  (" + r.reason() + "; not shipped yet, removed once the store holds it)");
            }
            printRemote(plan, dryRun, out);
            for (BaseEntry b : plan.keptBases()) {
                out.println("keep  " + b.file() + "  (" + plan.keptBecause().get(b.file()) + ")");
            }
            out.println((dryRun ? "Would remove " : "Removed ") + plan.removals().size() + " file(s), " + bytes
                    + " bytes; kept " + plan.keptBases().size() + " base(s), " + plan.keptSegments().size() + " segment(s), "
                    + plan.keptGlobals().size() + " globals dump(s)");
            if (plan.windowBase() != null) {
                out.println("Point-in-time restores start at " + plan.windowBase().takenAt() + " (base "
                        + plan.windowBase().file() + ", consistent point " + plan.windowBase().consistentPoint()
                        + "); older kept bases restore to their own point (restore --to-lsn <its consistent point>)");
            }
            if (dryRun) {
                out.println("Nothing was changed (--dry-run).");
            }
        }
        return new Result(plan, bytes, dryRun);
    }

    /** The store's side: objects of removed files the store holds, deleted by the ship route after the next manifest. */
    private void printRemote(RetentionPolicy.Plan plan, boolean dryRun, PrintStream out) {
        Manifest m = store.load();
        List<String> remote = new ArrayList<>(m.shippingState().remotePendingDeletes());
        if (dryRun) {
            plan.removals().stream().map(RetentionPolicy.Removal::file).filter(m.shippingState()::isShipped)
                    .filter(f -> !remote.contains(f)).forEach(remote::add);
        }
        for (String f : remote) {
            out.println((dryRun ? "would remove from the store  " : "to remove from the store  ") + f);
        }
        if (!remote.isEmpty() || shipping) {
            out.println("Store: " + remote.size() + " object(s) " + (dryRun ? "would be" : "are to be")
                    + " removed by the ship route, after it has shipped a manifest without them");
        }
    }

    /** Deletes the files the manifest lists as pending, then clears the list. */
    private void finishPending(Path dir) {
        Manifest.Retention r = store.load().retention();
        if (r == null || r.pendingDeletes().isEmpty()) {
            return;
        }
        List<Path> parents = new ArrayList<>();
        for (String f : r.pendingDeletes()) {
            Path p = dir.resolve(f).normalize();
            if (!p.startsWith(dir) || p.startsWith(dir.resolve("spool"))) {
                throw new IllegalStateException("refusing to delete " + f + ": not a file of the backup set");
            }
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete " + p, e);
            }
            if (!parents.contains(p.getParent())) {
                parents.add(p.getParent());
            }
        }
        for (Path parent : parents) {
            try {
                DurableFiles.fsyncDirectory(parent);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        store.update(m -> m.withRetention(new Manifest.Retention(r.pointInTimeFrom(), r.prunedAt(), List.of())));
    }

    private static long size(Path p) {
        try {
            return Files.exists(p) ? Files.size(p) : 0;
        } catch (IOException e) {
            return 0;
        }
    }
}
