package io.pgscribe.capture;

import io.pgscribe.ddl.DdlBlock;
import io.pgscribe.ddl.DdlEvent;
import io.pgscribe.ddl.DdlMatcher;
import io.pgscribe.ddl.DdlStatements;
import io.pgscribe.decode.Change;
import io.pgscribe.decode.DecodeException;
import io.pgscribe.decode.Decoder;
import io.pgscribe.decode.DecoderPlugin;
import io.pgscribe.decode.RawInsertParser;
import io.pgscribe.manifest.CaptureState;
import io.pgscribe.manifest.Manifest;
import io.pgscribe.manifest.ManifestStore;
import io.pgscribe.manifest.SegmentEntry;
import io.pgscribe.manifest.SpoolPosition;
import io.pgscribe.manifest.TableShape;
import io.pgscribe.pg.Lsn;
import io.pgscribe.render.SequenceSample;
import io.pgscribe.render.SqlRenderer;
import io.pgscribe.render.TableShapes;
import io.pgscribe.segment.SegmentFormat;
import io.pgscribe.segment.SegmentWriter;
import io.pgscribe.segment.TransactionHeader;
import io.pgscribe.spool.SpoolDirectory;
import io.pgscribe.spool.SpoolFile;
import io.pgscribe.spool.SpoolFollower;
import io.pgscribe.sql.IdentifierList;
import io.pgscribe.sql.SqlText;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
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
 *   <li>A row of {@code pgscribe.ddl_log} becomes the DDL statement it logged, in place.</li>
 *   <li>After each closed segment, the manifest records where to resume, and the spool
 *       files before that point are deleted.</li>
 * </ul>
 */
public final class CaptureSink implements SpoolCheckpoint {

    private static final Logger LOG = LoggerFactory.getLogger(CaptureSink.class);

    private final DecoderPlugin plugin;
    private final Decoder decoder;
    private final java.util.function.Consumer<io.pgscribe.decode.Change> handler = this::handle; // one, not one per line
    private final ManifestStore manifest;
    private final SpoolDirectory spool;
    private final SegmentWriter writer;
    private final Path segmentsDir;
    private final DdlMatcher ddlMatcher = new DdlMatcher();
    private final String ownPublication; // the set's, whose DDL is never replayed (null: the decoder reads none)
    private TableShapes shapes;
    // the last spool position handed in, for progress figures
    private SqlRenderer renderer;

    private Lsn lastCommitLsn;
    private Lsn coveredLsn;
    private Lsn coveredEndLsn;
    private Long lastXid;
    private SpoolPosition safePosition;
    private byte[] safeState; // the decoder's session state at safePosition (null: it keeps none)
    private final java.nio.charset.Charset charset;
    private SpoolPosition checkpointed;
    private volatile long segmentsClosed;
    private volatile long lastSequenceSample = -1; // id of the last pgscribe.sequence_log row committed into a segment
    private long txnSequenceSample = -1;
    // rows of pgscribe's own tables: of this transaction, of the open segment, of closed segments (prunable on the source)
    private final List<OwnRow> txnOwnRows = new ArrayList<>();
    private final List<OwnRow> segmentOwnRows = new ArrayList<>();
    private final java.util.concurrent.ConcurrentLinkedQueue<OwnRow> closedOwnRows = new java.util.concurrent.ConcurrentLinkedQueue<>();

    /** A row of {@code pgscribe.ddl_log} or {@code pgscribe.sequence_log}, by its id. */
    public record OwnRow(String table, long id) {
    }
    private final Object sequenceSampleSeen = new Object();

    // the transaction being read
    private boolean inTxn;
    private boolean skipping;
    private boolean headerWritten;
    private TransactionHeader header;
    private final List<Change.Truncate> pendingTruncates = new ArrayList<>();
    private List<TableShape> shapesAtBegin;
    // DDL bookkeeping of the transaction being read
    private long txnNotReplayed; // DDL of the transaction being read written as NOT REPLAYED
    private long segmentNotReplayed; // of the committed transactions in the open segment
    private final Set<String> txnDdlRoles = new HashSet<>(); // the roles DDL blocks of the transaction run as
    private final Set<String> segmentDdlRoles = new HashSet<>();
    private DdlEvent pendingDrop;
    private Spill spill;
    private final AtomicLong ddlNotReplayed = new AtomicLong();
    private SpoolPosition lineEnd;
    private final StringBuilder sql = new StringBuilder(4096);

    private final AtomicLong transactionsWritten = new AtomicLong();
    private final AtomicLong transactionsSkipped = new AtomicLong();
    private long skippedReported;
    private final AtomicLong changesWritten = new AtomicLong();

    public CaptureSink(DecoderPlugin plugin, ManifestStore manifest, SpoolDirectory spool,
                       SegmentWriter.Policy policy, java.time.Clock clock) {
        this.plugin = plugin;
        this.decoder = plugin.newDecoder();
        this.manifest = manifest;
        this.spool = spool;
        Manifest m = manifest.load();
        this.segmentsDir = manifest.file().getParent().resolve("segments");
        String encoding = m.source().encoding();
        this.charset = io.pgscribe.pg.PgEncodings.charsetOf(encoding);
        this.ownPublication = plugin.readsPublication() ? m.slot() : null;
        this.writer = new SegmentWriter(segmentsDir, policy, clock, manifest, charset,
                SegmentFormat.header(m.source().database(), m.source().systemIdentifier(), plugin.pluginName(), encoding),
                this::segmentClosed);
        load(m);
    }

    /** The spool of a set whose decoder is {@code plugin}: its file names and how its records are told apart. */
    public static SpoolDirectory spoolOf(Path dir, DecoderPlugin plugin) {
        return new SpoolDirectory(dir, plugin.spoolExtension(),
                plugin.binaryMessages() ? io.pgscribe.decode.PgOutputFrames::messageEnd : io.pgscribe.spool.SpoolFraming.LINES);
    }

    /** Takes the state of the last closed segment: what a restart after a crash starts from. */
    private void load(Manifest m) {
        CaptureState state = m.capture() == null ? CaptureState.initial(List.of()) : m.capture();
        lastCommitLsn = state.lastCommitLsn() == null ? null : Lsn.valueOf(state.lastCommitLsn());
        coveredLsn = state.coveredLsn() == null ? null : Lsn.valueOf(state.coveredLsn());
        coveredEndLsn = state.coveredEndLsn() == null ? null : Lsn.valueOf(state.coveredEndLsn());
        lastXid = state.lastXid();
        safePosition = state.resumeAt();
        checkpointed = state.resumeAt();
        segmentsClosed = state.segmentsClosed();
        shapes = new TableShapes(state.tables());
        renderer = new SqlRenderer(shapes);
        segmentNotReplayed = 0;
        segmentDdlRoles.clear();
        inTxn = false;
        skipping = false;
        headerWritten = false;
        header = null;
        pendingTruncates.clear();
        decoder.reset();
        if (checkpointed != null && decoder.sessionState() != null) {
            byte[] kept = spool.sessionState(checkpointed);
            if (kept != null) {
                decoder.restoreSessionState(kept, charset);
            } else {
                LOG.warn("No {} session state is kept for the spool position {}: if the process that wrote it named a table "
                        + "before that point, reading it fails", plugin.pluginName(), checkpointed);
            }
        }
        safeState = decoder.sessionState();
        removeOrphans(m);
    }

    /**
     * After a failure in the middle of the stream: forget everything since the last closed
     * segment (the open one is dropped) and start again from the checkpoint.
     */
    @Override
    public synchronized void recover() {
        writer.abandon();
        load(manifest.load());
    }

    @Override
    public synchronized SpoolPosition resumePosition() {
        return checkpointed;
    }

    public synchronized void accept(List<SpoolFollower.Item> items) {
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
                    safePosition = line.end();
                    safeState = decoder.sessionState();
                }
            }
        }
    }

    /** Called on a schedule: closes an old segment, or records progress when no segment is open. */
    public synchronized void tick() {
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
        } else if (!writer.isOpen() && safePosition != null && !safePosition.equals(checkpointed)) {
            // only empty or skipped transactions since the last segment: remember we are past them
            CaptureState state = state(segmentsClosed);
            keepSessionState();
            manifest.update(m -> m.withCapture(state));
            advanceCheckpoint(safePosition);
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

    /** The id of the last pgscribe.sequence_log row whose transaction is in a segment (open or closed), -1 before one. */
    public long lastSequenceSample() {
        return lastSequenceSample;
    }

    /** Waits until the sample {@code id} of pgscribe.sequence_log is in a segment; false after {@code atMost}. */
    public boolean awaitSequenceSample(long id, java.time.Duration atMost) throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        synchronized (sequenceSampleSeen) {
            while (lastSequenceSample < id) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(sequenceSampleSeen, left);
            }
            return true;
        }
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
        ddlMatcher.beginTransaction();
        txnSequenceSample = -1;
        txnOwnRows.clear();
        txnNotReplayed = 0;
        txnDdlRoles.clear();
        pendingDrop = null;
        shapesAtBegin = null;
    }

    private void commit(Change.Commit c) {
        if (!inTxn) {
            throw new DecodeException("COMMIT without BEGIN in the spool");
        }
        if (txnSequenceSample > lastSequenceSample) {
            synchronized (sequenceSampleSeen) {
                lastSequenceSample = txnSequenceSample; // written now, or already in a closed segment when skipped
                sequenceSampleSeen.notifyAll();
            }
        }
        if (skipping) {
            transactionsSkipped.incrementAndGet();
        } else {
            flushTruncates();
            releaseSpill();
            if (headerWritten) {
                writer.commit(header);
                segmentOwnRows.addAll(txnOwnRows);
                transactionsWritten.incrementAndGet();
                segmentNotReplayed += txnNotReplayed;
                segmentDdlRoles.addAll(txnDdlRoles);
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
        inTxn = false;
        skipping = false;
        header = null;
        safePosition = lineEnd;
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
            if (!touchesOwnSchema(s.sql())) {
                sql.append(s.sql()).append('\n');
            }
        } else {
            throw new IllegalStateException("unexpected " + change);
        }
        emit(table);
    }

    /**
     * The rows of pgscribe's own tables that closed segments hold since the last call: the source
     * need not keep them (the DDL text in them may hold secrets, and they would pile up).
     */
    public List<OwnRow> takeClosedOwnRows() {
        List<OwnRow> out = new ArrayList<>();
        OwnRow r;
        while ((r = closedOwnRows.poll()) != null) {
            out.add(r);
        }
        return out;
    }

    /** Rows {@link #takeClosedOwnRows()} gave that could not be pruned: offered again next time. */
    public void returnOwnRows(List<OwnRow> rows) {
        closedOwnRows.addAll(rows);
    }

    /** A row inserted into one of pgscribe's own tables: a DDL firing or a sequence sample. */
    private void ownRow(String table, Map<String, String> values) {
        String rowId = values.get("id");
        if (rowId != null && (DdlEvent.TABLE.equals(table) || SequenceSample.TABLE.equals(table))) {
            try {
                txnOwnRows.add(new OwnRow(table, Long.parseLong(rowId.strip())));
            } catch (NumberFormatException e) {
                // not a row pgscribe wrote: nothing to prune
            }
        }
        if (DdlEvent.TABLE.equals(table)) {
            ddl(DdlEvent.fromValues(values));
        } else if (SequenceSample.TABLE.equals(table) && values.get("sequences") != null) {
            sql.setLength(0);
            sql.append("-- sequences sampled at ").append(SqlText.commentText(String.valueOf(values.get("sampled_at"))))
                    .append('\n');
            SequenceSample.parse(values.get("sequences")).forEach(x -> x.render(sql));
            emit(null);
            String id = values.get("id");
            if (id != null) {
                txnSequenceSample = Long.parseLong(id);
            }
        }
    }

    private void ddl(DdlEvent e) {
        if (DdlEvent.COMMAND_START.equals(e.event())) {
            if (spill == null) {
                spill = new Spill(segmentsDir); // CREATE TABLE AS: its rows come first, its table after them
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
            if (shapesAtBegin == null) {
                shapesAtBegin = shapes.snapshot();
            }
            ev.tables().forEach(shapes::put);
        }
        // decided for skipped firings too: they count among the firings of their query string
        DdlMatcher.Decision decision = ddlMatcher.decide(ev);
        // a COMMENT changes nothing pgoutput publishes (the check still compares the publication's row)
        if (ownPublication != null && "publication".equals(ev.objectType()) && ownPublication.equals(ev.objectIdentity())
                && !"COMMENT".equals(ev.commandTag())) {
            LOG.error("{} changed this backup set's own publication {} by hand ({}): pgoutput leaves out what it no longer "
                    + "publishes, so changes may be missing from the backup from here on. A hole is recorded after {} (no "
                    + "restore crosses it); the capture halts at the next start of pg_recvlogical until the publication is set "
                    + "back; the publication check or that start ends the hole once it is, and a base taken after that is a "
                    + "whole chain again",
                    ev.role(), ownPublication, ev.commandTag(), lastCommitLsn);
            PublicationHoles.open(manifest, ownPublication, lastCommitLsn == null ? null : lastCommitLsn.asString(),
                    header.commitLsn(), "role " + ev.role() + " (" + ev.commandTag() + ")", java.time.Instant.now());
            decision = new DdlMatcher.NotReplayed("it changes this backup set's own publication, which is the source's, "
                    + "not the restored copy's");
        }
        boolean nested = DdlStatements.nestedStatement(ev.context()).kind() != DdlStatements.Nested.Kind.TOP_LEVEL;
        java.util.Optional<List<String>> path = IdentifierList.parse(ev.searchPath() == null ? "" : ev.searchPath());
        if (path.isEmpty() && !(decision instanceof DdlMatcher.NotReplayed)) {
            decision = new DdlMatcher.NotReplayed("its search_path (" + ev.searchPath() + ") does not read as a list");
        }
        sql.setLength(0);
        if (ev.endsHeldRows()) {
            Spill rows = spill;
            spill = null;
            if (!ev.skip()) {
                if (ev.createsTableWithRows()) {
                    if (ev.isLegacy() || ev.definition() == null) {
                        notReplayed(ev, ev.isLegacy() ? ((DdlMatcher.NotReplayed) decision).why()
                                : "the definition of the table it created was not logged");
                    } else {
                        String ranAs = decision instanceof DdlMatcher.Replay r ? r.statement() : ev.query();
                        writeBlock(ev, sb -> DdlBlock.tableWithRows(ev, path.get(), ranAs, nested, sb));
                    }
                } else {
                    writeDecision(ev, decision, path, nested); // the view computes its rows again
                }
                emit(null);
            }
            if (rows != null) {
                Set<String> matviews = new HashSet<>();
                ev.tables().stream().filter(TableShape::isMatview)
                        .forEach(t -> matviews.add(SqlText.qualified(t.schema(), t.table())));
                drain(rows, matviews);
            }
            return;
        }
        if (ev.skip()) {
            return; // temporary objects, pgscribe's own
        }
        writeDecision(ev, decision, path, nested);
        emit(null);
    }

    private void writeDecision(DdlEvent ev, DdlMatcher.Decision decision, java.util.Optional<List<String>> path,
                               boolean nested) {
        if (decision instanceof DdlMatcher.Replay r) {
            writeBlock(ev, sb -> DdlBlock.replay(ev, path.get(), r.statement(), nested, null, sb));
        } else if (decision instanceof DdlMatcher.FromCatalog c) {
            writeBlock(ev, sb -> DdlBlock.replay(ev, path.get(), c.definition(), nested, c.note(), sb));
        } else {
            notReplayed(ev, ((DdlMatcher.NotReplayed) decision).why());
        }
    }

    /** Appends a block to {@code sql} only if it reads back as the block it is meant to be. */
    private void writeBlock(DdlEvent ev, java.util.function.Consumer<StringBuilder> block) {
        StringBuilder b = new StringBuilder();
        block.accept(b);
        String problem = DdlBlock.readBack(b.toString());
        if (problem != null) {
            notReplayed(ev, "its block does not read back as written (" + problem + ")");
            return;
        }
        txnDdlRoles.add(ev.role());
        sql.append(b);
    }

    private void notReplayed(DdlEvent ev, String why) {
        ddlNotReplayed.incrementAndGet();
        txnNotReplayed++;
        LOG.warn("DDL {} (pgscribe.ddl_log id {}) is not replayed: {}. Query: {}", ev.commandTag(), ev.id(), why,
                SqlText.commentText(ev.query().strip()));
        DdlBlock.notReplayed(ev, why, sql);
    }

    /** Writes {@code sql}; {@code table}: the table it changes, if it changes one. */
    private void emit(String table) {
        if (sql.isEmpty()) {
            return;
        }
        if (spill != null) {
            spill.write(table, sql); // held back until the relation these rows belong to is written
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
        if (spill != null) {
            Spill rows = spill;
            spill = null;
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
        return ddlNotReplayed.get();
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
        if (spill != null) {
            spill.close();
            spill = null;
        }
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
        keepSessionState();
        if (writer.close(state(segmentsClosed + 1), safePosition, segmentNotReplayed, segmentDdlRoles) != null) {
            segmentNotReplayed = 0;
            segmentDdlRoles.clear();
        }
    }

    private CaptureState state(long closed) {
        return new CaptureState(lastCommitLsn == null ? null : lastCommitLsn.asString(),
                coveredLsn == null ? null : coveredLsn.asString(), safePosition, shapes.snapshot(), closed,
                coveredEndLsn == null ? null : coveredEndLsn.asString(), List.of(), lastXid, null);
    }

    private void segmentClosed(SegmentEntry entry) {
        segmentsClosed = entry.ordinal();
        closedOwnRows.addAll(segmentOwnRows);
        segmentOwnRows.clear();
        advanceCheckpoint(entry.spoolEnd());
    }

    /** Before a checkpoint at safePosition is recorded: what the decoder needs to resume there. */
    private void keepSessionState() {
        if (safeState != null && safePosition != null) {
            spool.saveSessionState(safePosition, safeState);
        }
    }

    private void advanceCheckpoint(SpoolPosition position) {
        checkpointed = position;
        if (safeState != null) {
            spool.deleteSessionStatesBut(position);
        }
        SpoolFile f = position == null ? null : SpoolFile.parse(position.file());
        if (f != null) {
            int n = spool.deleteBefore(f);
            if (n > 0) {
                LOG.debug("Deleted {} spool files now covered by closed segments", n);
            }
        }
    }

    private static boolean touchesOwnSchema(String sql) {
        String s = sql.stripLeading();
        return s.regionMatches(true, 0, "INSERT INTO pgscribe.", 0, 21)
                || s.regionMatches(true, 0, "UPDATE pgscribe.", 0, 16)
                || s.regionMatches(true, 0, "DELETE FROM pgscribe.", 0, 21)
                || s.regionMatches(true, 0, "TRUNCATE pgscribe.", 0, 18);
    }

    /**
     * A segment written but not in the manifest (a crash between rename and manifest), or a
     * .partial file, is not part of the backup set: its transactions are still in the spool
     * after the recorded resume point and will be written again.
     */
    private void removeOrphans(Manifest m) {
        if (!Files.isDirectory(segmentsDir)) {
            return;
        }
        Set<String> listed = new HashSet<>();
        m.segments().forEach(s -> listed.add(Path.of(s.file()).getFileName().toString()));
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(segmentsDir)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                boolean partial = name.endsWith(SegmentFormat.PARTIAL);
                if (partial || (SegmentFormat.isSegmentName(name) && !listed.contains(name))) {
                    LOG.warn("Removing {} {}: it is not in the manifest; its transactions are written again from the spool",
                            partial ? "unfinished segment" : "unrecorded segment", name);
                    Files.delete(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean " + segmentsDir, e);
        }
    }
}
