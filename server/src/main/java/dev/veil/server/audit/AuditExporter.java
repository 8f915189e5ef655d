package dev.veil.server.audit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.bouncycastle.crypto.InvalidCipherTextException;

/**
 * Decrypts a range of records to JSON lines for the holder of the key: one object per record with its sequence
 * number, epoch, the node id of the Veil that wrote it, and the decrypted payload. A record that fails authentication
 * stops the export with its sequence number; run verify to see the whole picture.
 *
 * <p>Records written before records carried a node id are exported with the node id the log's metadata states (the
 * Veil that writes the log now), or null when the log has never been written by a Veil with node ids.
 */
public final class AuditExporter {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String COLUMNS = "SELECT seq, created_ms, epoch, nonce, ciphertext, node_id FROM records "
            + "WHERE seq BETWEEN ? AND ? ";
    /** Merge order: time, then node id, then sequence number, then which file (the same node twice). */
    private static final Comparator<Cursor> BY_TIME = Comparator.<Cursor>comparingLong(cursor -> cursor.created)
            .thenComparing(cursor -> cursor.nodeId, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparingLong(cursor -> cursor.seq)
            .thenComparingInt(cursor -> cursor.index);

    private final AuditDatabase database;
    private PreparedStatement after;
    private PreparedStatement hashOf;
    private PreparedStatement head;

    /**
     * One record as committed, decrypted: what the audit export streams to a SIEM (which picks the metadata from
     * {@code payload}).
     *
     * @param seq its position in the chain
     * @param createdMillis when it was made
     * @param nodeId the node that wrote it, or the log's node for records from before node ids; empty if neither
     * @param hash its chain hash
     * @param payload the decrypted record, as {@code export} writes it under {@code record}
     */
    public record Committed(long seq, long createdMillis, Optional<String> nodeId, byte[] hash,
                            Map<String, Object> payload) {
    }

    public AuditExporter(AuditDatabase database) {
        this.database = database;
    }

    /**
     * Up to {@code limit} records after sequence number {@code seq}, in chain order, decrypted. Not thread-safe: each
     * reader keeps its own exporter (and database connection).
     *
     * @throws AuditException when the log cannot be read or a record fails authentication
     */
    public List<Committed> after(long seq, int limit) {
        try {
            if (after == null) {
                after = database.connection().prepareStatement("SELECT seq, created_ms, epoch, nonce, ciphertext, "
                        + "node_id, hash FROM records WHERE seq > ? ORDER BY seq LIMIT ?");
            }
            after.setLong(1, seq);
            after.setInt(2, limit);
            List<Committed> records = new ArrayList<>();
            String logNodeId = database.nodeId().orElse(null);
            try (ResultSet rows = after.executeQuery()) {
                while (rows.next()) {
                    long at = rows.getLong(1);
                    long created = rows.getLong(2);
                    long epoch = rows.getLong(3);
                    String node = rows.getObject(6) instanceof String text ? text : null;
                    byte[] plaintext;
                    try {
                        plaintext = AuditCipher.decrypt(database.keys().dataKey(epoch), rows.getBytes(4),
                                AuditChain.associatedOfRow(at, created, epoch, node), rows.getBytes(5));
                    } catch (InvalidCipherTextException | IllegalArgumentException | NullPointerException e) {
                        throw new AuditException("record " + at + " of " + database.file() + " fails "
                                + "authentication; run ./veil audit verify");
                    }
                    records.add(new Committed(at, created, Optional.ofNullable(node != null ? node : logNodeId),
                            rows.getBytes(7), AuditPayload.decode(plaintext)));
                }
            }
            return records;
        } catch (SQLException e) {
            throw new AuditException("the log cannot be read (" + AuditDatabase.reason(e) + ")");
        }
    }

    /** The hash of record {@code seq}, when the log has it. */
    public Optional<byte[]> hash(long seq) {
        try {
            if (hashOf == null) {
                hashOf = database.connection().prepareStatement("SELECT hash FROM records WHERE seq = ?");
            }
            hashOf.setLong(1, seq);
            try (ResultSet row = hashOf.executeQuery()) {
                return row.next() ? Optional.ofNullable(row.getBytes(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new AuditException("the log cannot be read (" + AuditDatabase.reason(e) + ")");
        }
    }

    /** The last record's sequence number, 0 when the log is empty. */
    public long lastSeq() {
        try {
            if (head == null) {
                head = database.connection().prepareStatement("SELECT max(seq) FROM records");
            }
            try (ResultSet row = head.executeQuery()) {
                return row.next() ? row.getLong(1) : 0;
            }
        } catch (SQLException e) {
            throw new AuditException("the log cannot be read (" + AuditDatabase.reason(e) + ")");
        }
    }

    /** Writes records {@code from} to {@code to} (both inclusive) in sequence order and returns how many. */
    public long export(long from, long to, OutputStream out) {
        try (Cursor cursor = new Cursor(database, 0, COLUMNS + "ORDER BY seq", false, from, to)) {
            long count = 0;
            while (cursor.next()) {
                cursor.write(out);
                count++;
            }
            out.flush();
            return count;
        } catch (SQLException e) {
            throw new AuditException("the log cannot be read (" + AuditDatabase.reason(e) + ")");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes records {@code from} to {@code to} (both inclusive) of each log, merged by the time each was made; records
     * made in the same millisecond go by node id, then by sequence number. Streams: each log is read in that order
     * by SQLite, and only one record per log is held at a time. Returns how many records were written.
     */
    public static long merge(List<AuditDatabase> databases, long from, long to, OutputStream out) {
        List<Cursor> cursors = new ArrayList<>();
        try {
            PriorityQueue<Cursor> queue = new PriorityQueue<>(BY_TIME);
            for (AuditDatabase database : databases) {
                // The same order as the merge: COALESCE gives a record without a node id the one it is exported with.
                Cursor cursor = new Cursor(database, cursors.size(), COLUMNS
                        + "ORDER BY created_ms, COALESCE(node_id, ?), seq", true, from, to);
                cursors.add(cursor);
                if (cursor.next()) {
                    queue.add(cursor);
                }
            }
            long count = 0;
            for (Cursor next; (next = queue.poll()) != null; ) {
                next.write(out);
                count++;
                if (next.next()) {
                    queue.add(next);
                }
            }
            out.flush();
            return count;
        } catch (SQLException e) {
            throw new AuditException("a log cannot be read (" + AuditDatabase.reason(e) + ")");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            cursors.forEach(Cursor::close);
        }
    }

    /** Decrypted payloads of every record, for tests and tools that look records up by request id. */
    public Map<Long, Map<String, Object>> all() {
        Map<Long, Map<String, Object>> records = new LinkedHashMap<>();
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        export(1, Long.MAX_VALUE, buffer);
        for (String line : buffer.toString(StandardCharsets.UTF_8).split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            Map<String, Object> parsed = AuditPayload.decode(line.getBytes(StandardCharsets.UTF_8));
            @SuppressWarnings("unchecked")
            Map<String, Object> record = (Map<String, Object>) parsed.get("record");
            records.put(((Number) parsed.get("seq")).longValue(), record);
        }
        return records;
    }

    /** One log's records in the order its query gives them, one at a time. */
    private static final class Cursor implements AutoCloseable {
        private final AuditDatabase database;
        private final int index;
        private final String logNodeId;
        private final PreparedStatement select;
        private final ResultSet rows;
        private long seq;
        private long created;
        private long epoch;
        private String nodeId;
        private String ownNodeId;
        private byte[] nonce;
        private byte[] ciphertext;

        /** {@code bindNodeId}: whether {@code sql} takes the log's node id as its third parameter. */
        Cursor(AuditDatabase database, int index, String sql, boolean bindNodeId, long from, long to)
                throws SQLException {
            this.database = database;
            this.index = index;
            this.logNodeId = database.nodeId().orElse(null);
            this.select = database.connection().prepareStatement(sql);
            try {
                select.setLong(1, from);
                select.setLong(2, to);
                if (bindNodeId) {
                    select.setString(3, logNodeId == null ? "" : logNodeId);
                }
                this.rows = select.executeQuery();
            } catch (SQLException e) {
                select.close();
                throw e;
            }
        }

        boolean next() throws SQLException {
            if (!rows.next()) {
                return false;
            }
            seq = rows.getLong(1);
            created = rows.getLong(2);
            epoch = rows.getLong(3);
            nonce = rows.getBytes(4);
            ciphertext = rows.getBytes(5);
            Object node = rows.getObject(6);
            if (node != null && !(node instanceof String)) {
                throw new AuditException(where() + " has a node id that is not text; run ./veil audit verify");
            }
            ownNodeId = (String) node;
            nodeId = ownNodeId != null ? ownNodeId : logNodeId;
            return true;
        }

        void write(OutputStream out) throws IOException {
            byte[] plaintext;
            if (nonce == null || ciphertext == null) {
                throw new AuditException(where() + " has no nonce or ciphertext; run ./veil audit verify");
            }
            try {
                plaintext = AuditCipher.decrypt(database.keys().dataKey(epoch), nonce,
                        AuditChain.associatedOfRow(seq, created, epoch, ownNodeId), ciphertext);
            } catch (InvalidCipherTextException | IllegalArgumentException e) {
                throw new AuditException(where() + " fails authentication; run ./veil audit verify");
            }
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("seq", seq);
            line.put("epoch", epoch);
            line.put("node_id", nodeId);
            line.put("record", AuditPayload.decode(plaintext));
            out.write(JSON.writeValueAsBytes(line));
            out.write('\n');
        }

        private String where() {
            return "record " + seq + " of " + database.file();
        }

        @Override
        public void close() {
            try {
                select.close();
            } catch (SQLException ignored) {
                // Closing the connection releases it anyway.
            }
        }
    }
}
