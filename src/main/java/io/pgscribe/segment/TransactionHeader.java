package io.pgscribe.segment;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.pgscribe.pg.Lsn;
import java.io.IOException;

/**
 * The identity every transaction carries in a segment, as a comment on its BEGIN line:
 * {@code BEGIN; -- {"xid":727,"lsn":"0/15300B0","nextlsn":"0/15300E0","timestamp":"2026-11-24 22:21:31.081531+00"}}.
 * {@code lsn} is the commit LSN: restore skips by it, stops at a target by it, and
 * ignores a transaction sent twice by it. decoder_raw sends none, so its BEGIN is bare.
 */
public record TransactionHeader(Long xid, Lsn commitLsn, Lsn endLsn, String commitTime) {

    private static final JsonFactory JSON = new JsonFactory();
    private static final String PREFIX = "BEGIN; -- ";

    public static final TransactionHeader ANONYMOUS = new TransactionHeader(null, null, null, null);

    public boolean hasIdentity() {
        return commitLsn != null;
    }

    /** The BEGIN line, without its newline. */
    public String beginLine() {
        if (!hasIdentity()) {
            return "BEGIN;";
        }
        StringBuilder sb = new StringBuilder(120).append(PREFIX).append('{');
        if (xid != null) {
            sb.append("\"xid\":").append(xid).append(',');
        }
        sb.append("\"lsn\":\"").append(commitLsn.asString()).append('"');
        if (endLsn != null) {
            sb.append(",\"nextlsn\":\"").append(endLsn.asString()).append('"');
        }
        if (commitTime != null) {
            sb.append(",\"timestamp\":\"").append(commitTime).append('"');
        }
        return sb.append('}').toString();
    }

    /**
     * Reads the header from a BEGIN statement as written by {@link #beginLine()};
     * {@link #ANONYMOUS} for a bare {@code BEGIN;}, null when the text is not a BEGIN.
     */
    public static TransactionHeader parse(String statement) {
        String s = statement.strip();
        if (s.equals("BEGIN;")) {
            return ANONYMOUS;
        }
        if (!s.startsWith(PREFIX)) {
            return null;
        }
        String json = s.substring(PREFIX.length()).strip();
        Long xid = null;
        Lsn lsn = null;
        Lsn next = null;
        String time = null;
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                p.nextToken();
                switch (f) {
                    case "xid" -> xid = p.getLongValue();
                    case "lsn" -> lsn = Lsn.valueOf(p.getText());
                    case "nextlsn" -> next = Lsn.valueOf(p.getText());
                    case "timestamp" -> time = p.getText();
                    default -> p.skipChildren();
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
        return lsn == null ? null : new TransactionHeader(xid, lsn, next, time);
    }
}
