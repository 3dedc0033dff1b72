package io.pgscribe.capture;

import io.pgscribe.ddl.DdlEvent;
import io.pgscribe.decode.Change;
import io.pgscribe.decode.DecodeException;
import io.pgscribe.decode.Decoder;
import io.pgscribe.decode.DecoderPlugin;
import io.pgscribe.decode.PgOutputFrames;
import io.pgscribe.decode.RawInsertParser;
import io.pgscribe.manifest.CaptureState;
import io.pgscribe.manifest.Manifest;
import io.pgscribe.manifest.ManifestStore;
import io.pgscribe.manifest.SegmentEntry;
import io.pgscribe.manifest.SpoolPosition;
import io.pgscribe.manifest.TableShape;
import io.pgscribe.pg.Lsn;
import io.pgscribe.pg.PgEncodings;
import io.pgscribe.pg.Xids;
import io.pgscribe.render.SequenceSample;
import io.pgscribe.render.SqlRenderer;
import io.pgscribe.render.TableShapes;
import io.pgscribe.segment.SegmentFormat;
import io.pgscribe.segment.SegmentWriter;
import io.pgscribe.segment.TransactionHeader;
import io.pgscribe.spool.SpoolDirectory;
import io.pgscribe.spool.SpoolFollower;
import io.pgscribe.spool.SpoolFraming;
import io.pgscribe.sql.SqlText;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the spool's lines into segments: decodes each line, keeps track of the
 * transaction it belongs to, renders its changes as SQL and streams them into the open
 * segment, which closes only after a COMMIT.
 *
 * <ul>
 *   <li>A transaction whose commit LSN is not after the last one written is skipped:
 *       the server sends transactions again after a reconnect or a crash.</li>
 *   <li>A transaction without its COMMIT when its process ended is dropped; the next
 *       process sends it again whole.</li>
 *   <li>A row of {@code pgscribe.ddl_log} becomes the DDL statement it logged, in place
 *       ({@link DdlRows}).</li>
 *   <li>After each closed segment, the manifest records where to resume, and the spool
 *       files before that point are deleted.</li>
 * </ul>
 */
public final class CaptureSink implements SpoolCheckpoint {

    private static final Logger LOG = LoggerFactory.getLogger(CaptureSink.class);

    private final DecoderPlugin plugin;
    private final Decoder decoder;
    private final Consumer<Change> handler = this::handle; // one, not one per line
    private final ManifestStore manifest;
    private final SpoolResume resume;
    private final SegmentWriter writer;
    private final Path segmentsDir;
    private final DdlRows ddlRows;
    private final DdlRows.Transaction ddlTransaction = new DdlTransaction();
    private final OwnRows ownRows = new OwnRows();
    private TableShapes shapes;
    private SqlRenderer renderer;

    private Lsn lastCommitLsn;
    private Lsn coveredLsn;
    private Lsn coveredEndLsn;
    private Long lastXid;
    private Long highestXid;
    private final Charset charset;
    private volatile long segmentsClosed;

    // the transaction being read
    private boolean inTxn;
    private boolean skipping;
    private boolean headerWritten;
    private TransactionHeader header;
    private final List<Change.Truncate> pendingTruncates = new ArrayList<>();
    private List<TableShape> shapesAtBegin;
    // DDL of the committed transactions in the open segment: how many NOT REPLAYED, the roles it runs as
    private long segmentNotReplayed;
    private final Set<String> segmentDdlRoles = new HashSet<>();
    private SpoolPosition lineEnd;
    private final StringBuilder sql = new StringBuilder(4096);

    private final AtomicLong transactionsWritten = new AtomicLong();
    private final AtomicLong transactionsSkipped = new AtomicLong();
    private long skippedReported;
    private final AtomicLong changesWritten = new AtomicLong();

    public CaptureSink(DecoderPlugin plugin, ManifestStore manifest, SpoolDirectory spool,
                       SegmentWriter.Policy policy, Clock clock) {
        this.plugin = plugin;
        this.decoder = plugin.newDecoder();
        this.manifest = manifest;
        this.resume = new SpoolResume(spool);
        Manifest m = manifest.load();
        this.segmentsDir = manifest.file().getParent().resolve("segments");
        String encoding = m.source().encoding();
        this.charset = PgEncodings.charsetOf(encoding);
        this.ddlRows = new DdlRows(manifest, segmentsDir, plugin.readsPublication() ? m.slot() : null);
        this.writer = new SegmentWriter(segmentsDir, policy, clock, manifest, charset,
                SegmentFormat.header(m.source().database(), m.source().systemIdentifier(), plugin.pluginName(), encoding),
                this::segmentClosed);
        load(m);
    }

    /** The spool of a set whose decoder is {@code plugin}: its file names and how its records are told apart. */
    public static SpoolDirectory spoolOf(Path dir, DecoderPlugin plugin) {
        return new SpoolDirectory(dir, plugin.spoolExtension(),
                plugin.binaryMessages() ? PgOutputFrames::messageEnd : SpoolFraming.LINES);
    }

    /** Takes the state of the last closed segment: what a restart after a crash starts from. */
    private void load(Manifest m) {
        CaptureState state = m.capture() == null ? CaptureState.initial(List.of()) : m.capture();
        lastCommitLsn = state.lastCommitLsn() == null ? null : Lsn.valueOf(state.lastCommitLsn());
        coveredLsn = state.coveredLsn() == null ? null : Lsn.valueOf(state.coveredLsn());
        coveredEndLsn = state.coveredEndLsn() == null ? null : Lsn.valueOf(state.coveredEndLsn());
        lastXid = state.lastXid();
        highestXid = state.highestXid() != null ? state.highestXid() : state.lastXid();
        segmentsClosed = state.segmentsClosed();
        shapes = new TableShapes(state.tables());
        renderer = new SqlRenderer(shapes);
        segmentNotReplayed = 0;
        segmentDdlRoles.clear();
        ownRows.segmentAbandoned();
        inTxn = false;
        skipping = false;
        headerWritten = false;
        header = null;
        pendingTruncates.clear();
        decoder.reset();
        resume.load(state.resumeAt(), decoder, charset, plugin.pluginName());
        Set<String> listed = new HashSet<>();
        m.segments().forEach(s -> listed.add(Path.of(s.file()).getFileName().toString()));
        SegmentWriter.removeUnlisted(segmentsDir, listed, manifest.readFromCopy());
    }

    /**
     * After a failure in the middle of the stream: forget everything since the last closed
     * segment (the open one is dropped) and start again from the checkpoint.
     */
    /** A close on the timer's thread that failed: the spool reader recovers from it as from its own. */
    private RuntimeException closeFailure;

    @Override
    public synchronized void recover() {
        closeFailure = null;
        writer.abandon();
        load(manifest.load());
    }

    @Override
    public synchronized SpoolPosition resumePosition() {
        return resume.checkpointed();
    }

    @Override
    public synchronized void check() {
        if (closeFailure != null) {
            throw closeFailure;
        }
    }

    public synchronized void accept(List<SpoolFollower.Item> items) {
        check();
        for (SpoolFollower.Item item : items) {
            if (item instanceof SpoolFollower.ProcessBoundary b) {
                if (inTxn || decoder.inMiddleOfChange()) {
                    LOG.info("pg_recvlogical was restarted (now writing {}): its unfinished transaction is dropped", b.file());
                }
                decoder.reset();
                abortTransaction();
            } else if (item instanceof SpoolFollower.Line line) {
                lineEnd = line.end();
                decoder.decodeLine(line.bytes(), line.charset(), handler);
                if (!inTxn && !decoder.inMiddleOfChange()) {
                    resume.safeAt(line.end(), decoder.sessionState());
                }
            }
        }
    }

    /** Called on a schedule: closes an old segment, or records progress when no segment is open. */
    public synchronized void tick() {
        if (closeFailure != null) {
            return; // the spool reader goes back to the last closed segment first
        }
        try {
            tickOnce();
        } catch (RuntimeException e) {
            // a close the manifest did not record: what was written since the last closed segment is read again
            closeFailure = e;
            throw e;
        }
    }

    private void tickOnce() {
        long skipped = transactionsSkipped.get();
        if (skipped > skippedReported) {
            LOG.info("Skipped {} transaction(s) already in closed segments (the server sends them again after a restart)",
                    skipped - skippedReported);
            skippedReported = skipped;
        }
        if (inTxn) {
            return;
        }
        if (writer.isDue()) {
            closeSegment();
        } else if (!writer.isOpen() && resume.pastCheckpoint()) {
            // only empty or skipped transactions since the last segment: remember we are past them
            CaptureState state = state(segmentsClosed);
            resume.keepSessionState();
            manifest.update(m -> m.withCapture(state));
            resume.advance(resume.safe());
        }
    }

    /** Closes the open segment at the last COMMIT; an unfinished transaction is dropped (it is still in the spool). */
    @Override
    public synchronized void shutdown() {
        abortTransaction();
        if (writer.isOpen()) {
            closeSegment();
        }
    }

    /** Segments closed so far in this backup set. */
    public long segmentsClosed() {
        return segmentsClosed;
    }

    /** The rows of pgscribe's own tables read so far, and the last sequence sample in a segment. */
    public OwnRows ownRows() {
        return ownRows;
    }

    public long transactionsWritten() {
        return transactionsWritten.get();
    }

    public long transactionsSkipped() {
        return transactionsSkipped.get();
    }

    public long changesWritten() {
        return changesWritten.get();
    }

    public synchronized Lsn lastCommitLsn() {
        return lastCommitLsn;
    }

    private void handle(Change change) {
        if (change instanceof Change.Begin b) {
            begin(b);
        } else if (change instanceof Change.Commit c) {
            commit(c);
        } else if (change instanceof Change.Message m) {
            // nothing to write; a message outside a transaction (a heartbeat) arrives after
            // every transaction committed before it, which is what covered means
            if (!m.transactional() && !inTxn && m.lsn() != null && (coveredLsn == null || m.lsn().isAfter(coveredLsn))) {
                coveredLsn = m.lsn();
                coveredEndLsn = null;
            }
        } else if (change instanceof Change.Truncate t) {
            if (inTransactionToWrite(t) && !DdlEvent.SCHEMA.equals(t.schema())) {
                if (!pendingTruncates.isEmpty() && pendingTruncates.get(0).statement() != t.statement()) {
                    flushTruncates();
                }
                pendingTruncates.add(t);
            }
        } else if (inTransactionToWrite(change)) {
            flushTruncates();
            row(change);
        }
    }

    private boolean inTransactionToWrite(Change c) {
        if (!inTxn) {
            throw new DecodeException("a change arrived outside a transaction: " + c.getClass().getSimpleName());
        }
        return !skipping;
    }

    private void begin(Change.Begin b) {
        if (inTxn) {
            LOG.info("A transaction began before the previous one committed: the previous one is dropped");
            abortTransaction();
        }
        header = new TransactionHeader(b.xid(), b.commitLsn(), b.endLsn(), b.commitTime());
        inTxn = true;
        headerWritten = false;
        skipping = header.hasIdentity() && lastCommitLsn != null && !header.commitLsn().isAfter(lastCommitLsn);
        if (skipping && header.xid() != null && highestXid != null && Xids.isNewer(header.xid(), highestXid)) {
            throw otherHistory(header);
        }
        ddlRows.beginTransaction();
        ownRows.beginTransaction();
        shapesAtBegin = null;
    }

    private void commit(Change.Commit c) {
        if (!inTxn) {
            throw new DecodeException("COMMIT without BEGIN in the spool");
        }
        if (skipping) {
            ownRows.committed(false);
            transactionsSkipped.incrementAndGet();
        } else {
            flushTruncates();
            releaseSpill();
            ownRows.committed(headerWritten);
            if (headerWritten) {
                writer.commit(header);
                transactionsWritten.incrementAndGet();
                segmentNotReplayed += ddlRows.transactionNotReplayed();
                segmentDdlRoles.addAll(ddlRows.transactionRoles());
            }
            if (header.hasIdentity()) {
                lastCommitLsn = header.commitLsn();
            }
        }
        if (header.hasIdentity() && (coveredLsn == null || header.commitLsn().isAfter(coveredLsn))) {
            coveredLsn = header.commitLsn();
            coveredEndLsn = header.endLsn() != null ? header.endLsn() : c.endLsn(); // pgoutput sends it at COMMIT only
            if (header.xid() != null) {
                lastXid = header.xid();
            }
        }
        if (header.xid() != null && (highestXid == null || Xids.isNewer(header.xid(), highestXid))) {
            highestXid = header.xid();
        }
        inTxn = false;
        skipping = false;
        header = null;
        resume.safeAt(lineEnd);
        if (writer.isDue()) {
            closeSegment();
        }
    }

    private void row(Change change) {
        sql.setLength(0);
        String table = null;
        if (change instanceof Change.Insert i) {
            if (DdlEvent.SCHEMA.equals(i.schema())) {
                Map<String, String> values = new HashMap<>();
                i.columns().forEach(c -> values.put(c.name(), c.text()));
                ownRow(i.table(), values);
                return;
            }
            if (shapes.isMatview(i.schema(), i.table())) {
                return; // a materialized view's rows come from replaying its CREATE / REFRESH
            }
            table = SqlText.qualified(i.schema(), i.table());
            renderer.insert(i, sql);
        } else if (change instanceof Change.Update u) {
            if (!DdlEvent.SCHEMA.equals(u.schema()) && !shapes.isMatview(u.schema(), u.table())) {
                table = SqlText.qualified(u.schema(), u.table());
                renderer.update(u, sql);
            }
        } else if (change instanceof Change.Delete d) {
            if (!DdlEvent.SCHEMA.equals(d.schema()) && !shapes.isMatview(d.schema(), d.table())) {
                table = SqlText.qualified(d.schema(), d.table());
                renderer.delete(d, sql);
            }
        } else if (change instanceof Change.Statement s) {
            String target = RawInsertParser.target(s.sql());
            if (target != null && target.startsWith(DdlEvent.SCHEMA + ".")) {
                ownRow(target.substring(DdlEvent.SCHEMA.length() + 1), RawInsertParser.values(s.sql()));
                return;
            }
            if (!RawInsertParser.touchesSchema(s.sql(), DdlEvent.SCHEMA)) {
                sql.append(s.sql()).append('\n');
            }
        } else {
            throw new IllegalStateException("unexpected " + change);
        }
        emit(table);
    }

    /** A row inserted into one of pgscribe's own tables: a DDL firing or a sequence sample. */
    private void ownRow(String table, Map<String, String> values) {
        ownRows.read(table, values.get("id"));
        if (DdlEvent.TABLE.equals(table)) {
            ddlRows.accept(DdlEvent.fromValues(values), sql, lastCommitLsn, header.commitLsn(), ddlTransaction);
        } else if (SequenceSample.TABLE.equals(table) && values.get("sequences") != null) {
            sql.setLength(0);
            sql.append("-- sequences sampled at ").append(SqlText.commentText(String.valueOf(values.get("sampled_at"))))
                    .append('\n');
            SequenceSample.parse(values.get("sequences")).forEach(x -> x.render(sql));
            emit(null);
            String id = values.get("id");
            if (id != null) {
                ownRows.sampled(Long.parseLong(id));
            }
        }
    }

    /** The open transaction as the DDL blocks see it. */
    private final class DdlTransaction implements DdlRows.Transaction {
        @Override
        public void tablesChanged(List<TableShape> tables) {
            if (shapesAtBegin == null) {
                shapesAtBegin = shapes.snapshot();
            }
            tables.forEach(shapes::put);
        }

        @Override
        public void emit() {
            CaptureSink.this.emit(null);
        }

        @Override
        public void drain(Spill rows, Set<String> leaveOut) {
            CaptureSink.this.drain(rows, leaveOut);
        }
    }

    /** Writes {@code sql}; {@code table}: the table it changes, if it changes one. */
    private void emit(String table) {
        if (sql.isEmpty()) {
            return;
        }
        Spill held = ddlRows.heldRows();
        if (held != null) {
            held.write(table, sql); // held back until the relation these rows belong to is written
            return;
        }
        ensureHeader();
        writer.write(sql);
        changesWritten.incrementAndGet();
    }

    private void ensureHeader() {
        if (!headerWritten) {
            writer.begin(header, segmentsClosed + 1);
            headerWritten = true;
        }
    }

    /** Rows held back with no table firing to follow (a start without its end): written as they are. */
    private void releaseSpill() {
        Spill rows = ddlRows.takeHeldRows();
        if (rows != null) {
            drain(rows, Set.of());
        }
    }

    private void drain(Spill rows, Set<String> leaveOut) {
        try (rows) {
            if (!rows.isEmpty()) {
                ensureHeader();
                rows.drainInto(writer, leaveOut);
            }
        }
    }

    /** DDL firings written as comments because they could not be replayed. */
    public long ddlNotReplayed() {
        return ddlRows.notReplayed();
    }

    private void flushTruncates() {
        if (pendingTruncates.isEmpty()) {
            return;
        }
        sql.setLength(0);
        renderer.truncate(pendingTruncates, sql);
        pendingTruncates.clear();
        emit(null);
    }

    private void abortTransaction() {
        if (!inTxn) {
            return;
        }
        if (headerWritten) {
            writer.abort();
        }
        ddlRows.abort();
        if (shapesAtBegin != null) {
            shapes = new TableShapes(shapesAtBegin);
            renderer = new SqlRenderer(shapes);
        }
        pendingTruncates.clear();
        inTxn = false;
        skipping = false;
        header = null;
        headerWritten = false;
    }

    private void closeSegment() {
        resume.keepSessionState();
        if (writer.close(state(segmentsClosed + 1), resume.safe(), segmentNotReplayed, segmentDdlRoles) != null) {
            segmentNotReplayed = 0;
            segmentDdlRoles.clear();
        }
    }

    /**
     * A transaction sent as one the set holds (its commit is not after the last closed one) with
     * an xid newer than any the set read: a healthy server sends again only what it sent before,
     * so this server's history is not the set's (put back from an older copy and written since).
     */
    private static io.pgscribe.PgscribeException otherHistory(TransactionHeader h) {
        return new io.pgscribe.PgscribeException("the server sends transaction " + h.xid() + " (commit at " + h.commitLsn()
                + ") as one this backup set already holds, but its xid is newer than any the set read: the server was "
                + "restored from an older copy and has written since, so its new transactions would be skipped as backed up",
                "Stop the runtime and start a new backup set for this server (pgscribe init into a new pgscribe.backup.dir); "
                + "this one restores the old history up to its last segment.", io.pgscribe.ExitCode.REFUSED, null);
    }

    private CaptureState state(long closed) {
        return new CaptureState(lastCommitLsn == null ? null : lastCommitLsn.asString(),
                coveredLsn == null ? null : coveredLsn.asString(), resume.safe(), shapes.snapshot(), closed,
                coveredEndLsn == null ? null : coveredEndLsn.asString(), List.of(), lastXid, null, highestXid);
    }

    private void segmentClosed(SegmentEntry entry) {
        segmentsClosed = entry.ordinal();
        ownRows.segmentClosed();
        resume.advance(entry.spoolEnd());
    }
}
