package io.pgscribe.capture;

import io.pgscribe.ddl.DdlBlock;
import io.pgscribe.ddl.DdlEvent;
import io.pgscribe.ddl.DdlMatcher;
import io.pgscribe.ddl.DdlStatements;
import io.pgscribe.manifest.ManifestStore;
import io.pgscribe.manifest.TableShape;
import io.pgscribe.pg.Lsn;
import io.pgscribe.sql.IdentifierList;
import io.pgscribe.sql.SqlText;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rows of {@code pgscribe.ddl_log} of the transaction being read, as the DDL blocks they
 * become in the segment: matched to the statement that ran ({@link DdlMatcher}), written with
 * their trace ({@link DdlBlock}) or as NOT REPLAYED; the rows a CREATE TABLE AS fills are held
 * back until its table is written.
 */
final class DdlRows {

    /** The capture's open transaction, which the blocks go into. */
    interface Transaction {
        /** A firing changed these tables (the transaction's shapes, kept to set back on an abort). */
        void tablesChanged(List<TableShape> tables);

        /** Writes the buffer handed to {@link #accept} into the transaction. */
        void emit();

        /** Writes rows held back, but those of {@code leaveOut}. */
        void drain(Spill rows, Set<String> leaveOut);
    }

    private static final Logger LOG = LoggerFactory.getLogger(DdlRows.class);

    private final DdlMatcher matcher = new DdlMatcher();
    private final ManifestStore manifest;
    private final Path segmentsDir;
    private final String ownPublication; // the set's, whose DDL is never replayed (null: the decoder reads none)
    private final AtomicLong notReplayed = new AtomicLong();
    private long transactionNotReplayed;
    private final Set<String> transactionRoles = new HashSet<>(); // the roles DDL blocks of the transaction run as
    private DdlEvent pendingDrop;
    private Spill held;

    DdlRows(ManifestStore manifest, Path segmentsDir, String ownPublication) {
        this.manifest = manifest;
        this.segmentsDir = segmentsDir;
        this.ownPublication = ownPublication;
    }

    void beginTransaction() {
        matcher.beginTransaction();
        transactionNotReplayed = 0;
        transactionRoles.clear();
        pendingDrop = null;
    }

    /** Rows being held back until a table firing, null when none are. */
    Spill heldRows() {
        return held;
    }

    /** The rows held back, now no longer held (null when none were). */
    Spill takeHeldRows() {
        Spill rows = held;
        held = null;
        return rows;
    }

    /** The transaction is dropped: so are the rows held back. */
    void abort() {
        if (held != null) {
            held.close();
            held = null;
        }
    }

    /** DDL of the transaction being read written as NOT REPLAYED. */
    long transactionNotReplayed() {
        return transactionNotReplayed;
    }

    Set<String> transactionRoles() {
        return transactionRoles;
    }

    /** DDL firings written as comments because they could not be replayed, since the capture started. */
    long notReplayed() {
        return notReplayed.get();
    }

    /**
     * One row of pgscribe.ddl_log; {@code sql}: the buffer its block is written into, then emitted;
     * {@code lastCommitLsn}: of the last transaction written (null before one); {@code commitLsn}: of this one.
     */
    void accept(DdlEvent e, StringBuilder sql, Lsn lastCommitLsn, Lsn commitLsn, Transaction txn) {
        if (DdlEvent.COMMAND_START.equals(e.event())) {
            if (held == null) {
                held = new Spill(segmentsDir); // CREATE TABLE AS: its rows come first, its table after them
            }
            return;
        }
        if (DdlEvent.SQL_DROP.equals(e.event())) {
            pendingDrop = e;
            return;
        }
        DdlEvent ev = pendingDrop != null && pendingDrop.commandTag().equals(e.commandTag()) ? e.withDropped(pendingDrop) : e;
        pendingDrop = null;
        if (!ev.skip() && !ev.tables().isEmpty()) {
            txn.tablesChanged(ev.tables());
        }
        // decided for skipped firings too: they count among the firings of their query string
        DdlMatcher.Decision decision = matcher.decide(ev);
        // a COMMENT changes nothing pgoutput publishes (the check still compares the publication's row)
        if (ownPublication != null && "publication".equals(ev.objectType()) && ownPublication.equals(ev.objectIdentity())
                && !"COMMENT".equals(ev.commandTag())) {
            decision = ownPublicationChanged(ev, lastCommitLsn, commitLsn);
        }
        boolean nested = DdlStatements.nestedStatement(ev.context()).kind() != DdlStatements.Nested.Kind.TOP_LEVEL;
        Optional<List<String>> path = IdentifierList.parse(ev.searchPath() == null ? "" : ev.searchPath());
        if (path.isEmpty() && !(decision instanceof DdlMatcher.NotReplayed)) {
            decision = new DdlMatcher.NotReplayed("its search_path (" + ev.searchPath() + ") does not read as a list");
        }
        sql.setLength(0);
        if (ev.endsHeldRows()) {
            Spill rows = takeHeldRows();
            if (!ev.skip()) {
                if (ev.createsTableWithRows()) {
                    if (ev.isLegacy() || ev.definition() == null) {
                        notReplayed(ev, ev.isLegacy() ? ((DdlMatcher.NotReplayed) decision).why()
                                : "the definition of the table it created was not logged", sql);
                    } else {
                        String ranAs = decision instanceof DdlMatcher.Replay r ? r.statement() : ev.query();
                        writeBlock(ev, b -> DdlBlock.tableWithRows(ev, path.get(), ranAs, nested, b), sql);
                    }
                } else {
                    writeDecision(ev, decision, path, nested, sql); // the view computes its rows again
                }
                txn.emit();
            }
            if (rows != null) {
                Set<String> matviews = new HashSet<>();
                ev.tables().stream().filter(TableShape::isMatview)
                        .forEach(t -> matviews.add(SqlText.qualified(t.schema(), t.table())));
                txn.drain(rows, matviews);
            }
            return;
        }
        if (ev.skip()) {
            return; // temporary objects, pgscribe's own
        }
        writeDecision(ev, decision, path, nested, sql);
        txn.emit();
    }

    private DdlMatcher.Decision ownPublicationChanged(DdlEvent ev, Lsn last, Lsn commitLsn) {
        LOG.error("{} changed this backup set's own publication {} by hand ({}): pgoutput leaves out what it no longer "
                + "publishes, so changes may be missing from the backup from here on. A hole is recorded after {} (no "
                + "restore crosses it); the capture halts at the next start of pg_recvlogical until the publication is set "
                + "back; the publication check or that start ends the hole once it is, and a base taken after that is a "
                + "whole chain again",
                ev.role(), ownPublication, ev.commandTag(), last);
        PublicationHoles.open(manifest, ownPublication, last == null ? null : last.asString(), commitLsn,
                "role " + ev.role() + " (" + ev.commandTag() + ")", Instant.now());
        return new DdlMatcher.NotReplayed("it changes this backup set's own publication, which is the source's, "
                + "not the restored copy's");
    }

    private void writeDecision(DdlEvent ev, DdlMatcher.Decision decision, Optional<List<String>> path, boolean nested,
                               StringBuilder sql) {
        if (decision instanceof DdlMatcher.Replay r) {
            writeBlock(ev, b -> DdlBlock.replay(ev, path.get(), r.statement(), nested, null, b), sql);
        } else if (decision instanceof DdlMatcher.FromCatalog c) {
            writeBlock(ev, b -> DdlBlock.replay(ev, path.get(), c.definition(), nested, c.note(), b), sql);
        } else {
            notReplayed(ev, ((DdlMatcher.NotReplayed) decision).why(), sql);
        }
    }

    /** Appends a block to {@code sql} only if it reads back as the block it is meant to be. */
    private void writeBlock(DdlEvent ev, Consumer<StringBuilder> block, StringBuilder sql) {
        StringBuilder b = new StringBuilder();
        block.accept(b);
        String problem = DdlBlock.readBack(b.toString());
        if (problem != null) {
            notReplayed(ev, "its block does not read back as written (" + problem + ")", sql);
            return;
        }
        transactionRoles.add(ev.role());
        sql.append(b);
    }

    private void notReplayed(DdlEvent ev, String why, StringBuilder sql) {
        notReplayed.incrementAndGet();
        transactionNotReplayed++;
        LOG.warn("DDL {} (pgscribe.ddl_log id {}) is not replayed: {}. Query: {}", ev.commandTag(), ev.id(), why,
                SqlText.commentText(ev.query().strip()));
        DdlBlock.notReplayed(ev, why, sql);
    }
}
