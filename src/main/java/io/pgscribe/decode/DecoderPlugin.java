package io.pgscribe.decode;

import java.util.List;
import java.util.Locale;

/** The logical decoding output plugins pgscribe can read, and what each can do. */
public enum DecoderPlugin {

    /**
     * The server's own: binary messages (protocol version 1, logical messages on from 14), each value
     * the type's text output; carries xid, commit LSN and commit time. Reads the publication
     * named as the slot ({@code publication_names} is added by init).
     */
    PGOUTPUT("pgoutput", true, "pgoutput", List.of("proto_version=1", "messages=true")), // see PGOUTPUT_MESSAGES

    /** JSON, one message per line; carries xid, commit LSN and commit time of every transaction. */
    WAL2JSON("wal2json", true, "jsonl", List.of(
            "format-version=2", "include-xids=1", "include-timestamp=1", "include-lsn=1",
            "include-pk=1", "include-transaction=1", "include-types=0", "include-type-oids=1")),

    /** SQL statements framed by BEGIN;/COMMIT; lines; no LSN, xid or time per transaction. */
    DECODER_RAW("decoder_raw", false, "sql", List.of("include_transaction=on"));

    private final String pluginName;
    private final boolean carriesTransactionIdentity;
    private final String spoolExtension;
    private final List<String> options;

    DecoderPlugin(String pluginName, boolean carriesTransactionIdentity, String spoolExtension, List<String> options) {
        this.pluginName = pluginName;
        this.carriesTransactionIdentity = carriesTransactionIdentity;
        this.spoolExtension = spoolExtension;
        this.options = options;
    }

    /** The extension of its spool files. */
    public String spoolExtension() {
        return spoolExtension;
    }

    /** Whether its output is binary messages, each followed by a newline, rather than lines of text. */
    public boolean binaryMessages() {
        return this == PGOUTPUT;
    }

    /** Whether it reads a publication (named as the slot), which init creates and uninstall drops. */
    public boolean readsPublication() {
        return this == PGOUTPUT;
    }

    /** The option that asks pgoutput for logical messages, which it knows from PostgreSQL 14 on. */
    public static final String PGOUTPUT_MESSAGES = "messages=true";

    /**
     * The options for a set of slot {@code slot} on a server of {@code serverVersionNum}: what
     * pg_recvlogical passes ({@code -o NAME=VALUE}). pgoutput reads the publication named as the
     * slot; before 14 it has no logical messages, and the server refuses the option.
     */
    public List<String> options(String slot, int serverVersionNum) {
        if (!readsPublication()) {
            return options;
        }
        List<String> all = new java.util.ArrayList<>(options);
        if (serverVersionNum < 140000) {
            all.remove(PGOUTPUT_MESSAGES);
        }
        all.add("publication_names=" + slot);
        return List.copyOf(all);
    }

    /**
     * Whether a set decoding with {@code options} receives logical messages sent outside a
     * transaction (the heartbeat's). pgoutput before 14 does not, but it sends every
     * transaction, empty ones too, so a heartbeat there is a transaction of its own.
     */
    public boolean receivesMessagesOutsideTransactions(List<String> options) {
        return this != PGOUTPUT || options.contains(PGOUTPUT_MESSAGES);
    }

    /** The name the server knows the plugin by. */
    public String pluginName() {
        return pluginName;
    }

    /**
     * Whether each transaction arrives with its commit LSN, xid and time: what later-base
     * alignment, duplicate skipping and point-in-time restore rely on.
     */
    public boolean carriesTransactionIdentity() {
        return carriesTransactionIdentity;
    }

    /** Options passed to the plugin by pg_recvlogical ({@code -o NAME=VALUE}). */
    public List<String> options() {
        return options;
    }

    /**
     * Newer wal2json builds (not the 2.5 packaged in Debian bookworm) can write numeric types
     * as JSON strings, which keeps NaN and Infinity: JSON numbers cannot hold them, and 2.5
     * writes null instead. init uses it when the installed wal2json accepts it.
     */
    public static final String WAL2JSON_NUMBERS_AS_STRINGS = "numeric-data-types-as-string=1";

    /**
     * Type OIDs instead of type names: naming every column's type of every row costs the
     * walsender a catalog lookup each, 15% of its decoding time (bench/RESULTS.md, P1), and
     * rendering needs only a few built-in types, whose OIDs never change. Without them (a
     * wal2json that lacks the options) the names are sent, and read the same way.
     */
    public static final List<String> WAL2JSON_TYPE_OIDS = List.of("include-types=0", "include-type-oids=1");

    public Decoder newDecoder() {
        return switch (this) {
            case PGOUTPUT -> new PgOutputDecoder();
            case WAL2JSON -> new Wal2JsonDecoder();
            case DECODER_RAW -> new DecoderRawDecoder();
        };
    }

    public static DecoderPlugin fromName(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (DecoderPlugin p : values()) {
            if (p.pluginName.equals(n)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown decoder \"" + name + "\"; pgscribe reads pgoutput, wal2json or decoder_raw");
    }
}
