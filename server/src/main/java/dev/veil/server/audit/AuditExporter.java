package dev.veil.server.audit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.bouncycastle.crypto.InvalidCipherTextException;

/**
 * Decrypts a range of records to JSON lines for the holder of the key: one object per record with its sequence
 * number, epoch and the decrypted payload. A record that fails authentication stops the export with its sequence
 * number; run verify to see the whole picture.
 */
public final class AuditExporter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final AuditDatabase database;

    public AuditExporter(AuditDatabase database) {
        this.database = database;
    }

    /** Writes records {@code from} to {@code to} (both inclusive) and returns how many were written. */
    public long export(long from, long to, OutputStream out) {
        AuditKeys keys = database.keys();
        long count = 0;
        try (PreparedStatement select = database.connection().prepareStatement("SELECT seq, created_ms, epoch, nonce, "
                + "ciphertext FROM records WHERE seq BETWEEN ? AND ? ORDER BY seq")) {
            select.setLong(1, from);
            select.setLong(2, to);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    long seq = row.getLong(1);
                    long created = row.getLong(2);
                    long epoch = row.getLong(3);
                    byte[] plaintext;
                    try {
                        plaintext = AuditCipher.decrypt(keys.dataKey(epoch), row.getBytes(4),
                                AuditChain.associated(seq, created, epoch), row.getBytes(5));
                    } catch (InvalidCipherTextException | IllegalArgumentException e) {
                        throw new AuditException("record " + seq + " fails authentication; run ./veil audit verify");
                    }
                    Map<String, Object> line = new LinkedHashMap<>();
                    line.put("seq", seq);
                    line.put("epoch", epoch);
                    line.put("record", AuditPayload.decode(plaintext));
                    out.write(JSON.writeValueAsBytes(line));
                    out.write('\n');
                    count++;
                }
            }
            out.flush();
            return count;
        } catch (SQLException e) {
            throw new AuditException("the log cannot be read (" + AuditDatabase.reason(e) + ")");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Decrypted payloads of every record, for tests and tools that look records up by request id. */
    public Map<Long, Map<String, Object>> all() {
        Map<Long, Map<String, Object>> records = new LinkedHashMap<>();
        java.io.ByteArrayOutputStream buffer = new java.io.ByteArrayOutputStream();
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
}
