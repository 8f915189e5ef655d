package dev.veil.server.audit;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * {@code veil audit verify --against-export FILE}: checks that a stream a sink received (syslog lines as a receiver
 * wrote them, HEC events or webhook records one JSON per line) matches the chain. Each record of the audit export
 * starts with {@code {"seq":} and carries its chain {@code hash}; the verifier finds that document in each line,
 * whatever surrounds it (a syslog header, HEC's event envelope), and checks that every sequence number from
 * {@code from} on is there, that none comes before all those below it (at-least-once delivery may send a record
 * again, never skip one), and that each hash is the chain's; with {@code to}, also that the export reaches it (or the
 * log's end). Lines without a record are counted and skipped;
 * records of other nodes (a SIEM fed by several replicas) are skipped when the log states its node id.
 */
final class ExportedStreamVerifier {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RECORD_START = "{\"seq\":";

    /**
     * What the check found.
     *
     * @param firstBadSeq the first sequence number missing, out of order or with another hash, when one was
     * @param problem what was wrong there, with the line of the export
     * @param last the highest sequence number present with everything before it
     * @param records record lines read (this node's, from {@code from} on)
     * @param duplicates records sent again
     * @param ignored lines without a record, or records of other nodes or before {@code from}
     * @param chainHead the log's last sequence number
     */
    record Result(Optional<Long> firstBadSeq, Optional<String> problem, long last, long records, long duplicates,
                  long ignored, long chainHead) {
        boolean ok() {
            return problem.isEmpty();
        }
    }

    private ExportedStreamVerifier() {
    }

    static Result verify(AuditDatabase database, Path export, long from, long to) throws IOException {
        Optional<String> node = database.nodeId();
        long head = new AuditExporter(database).lastSeq();
        long last = from - 1;
        long records = 0;
        long duplicates = 0;
        long ignored = 0;
        long line = 0;
        try (BufferedReader reader = Files.newBufferedReader(export, StandardCharsets.UTF_8);
             PreparedStatement hashOf = database.connection().prepareStatement(
                     "SELECT hash FROM records WHERE seq = ?")) {
            for (String text; (text = reader.readLine()) != null; ) {
                line++;
                int start = text.indexOf(RECORD_START);
                if (start < 0) {
                    ignored++;
                    continue;
                }
                JsonNode record;
                try (JsonParser parser = JSON.getFactory().createParser(text.substring(start))) {
                    record = JSON.readTree(parser);
                } catch (IOException e) {
                    return failed(last + 1, "line " + line + " holds a record that is not valid JSON", last, records,
                            duplicates, ignored, head);
                }
                long seq = record.path("seq").asLong(-1);
                String hash = record.path("hash").asText("");
                if (seq < 1 || hash.isEmpty()) {
                    return failed(last + 1, "line " + line + " holds a record without a seq or hash", last,
                            records, duplicates, ignored, head);
                }
                String recordNode = record.path("node_id").asText(null);
                if (seq < from || node.isPresent() && recordNode != null && !recordNode.equals(node.get())) {
                    ignored++;
                    continue;
                }
                records++;
                if (seq > last + 1) {
                    return failed(last + 1, "missing: the export goes from seq " + last + " to seq " + seq + " at "
                            + "line " + line, last, records, duplicates, ignored, head);
                }
                Optional<byte[]> chain = hash(hashOf, seq);
                if (chain.isEmpty()) {
                    return failed(seq, "line " + line + " holds seq " + seq + ", which this log does not have "
                            + "(its last is " + head + ")", last, records, duplicates, ignored, head);
                }
                if (!Arrays.equals(chain.get(), parseHex(hash))) {
                    return failed(seq, "line " + line + ": the exported hash differs from the chain's", last,
                            records, duplicates, ignored, head);
                }
                if (seq <= last) {
                    duplicates++;
                } else {
                    last = seq;
                }
            }
        } catch (SQLException e) {
            throw new AuditException("the log cannot be read (" + AuditDatabase.reason(e) + ")");
        }
        if (records == 0) {
            return failed(from, "the export holds no record of this log from seq " + from + " on", last, records,
                    duplicates, ignored, head);
        }
        if (to != Long.MAX_VALUE && last < Math.min(to, head)) {
            return failed(last + 1, "missing: the export ends at seq " + last + ", the log goes on to "
                    + Math.min(to, head), last, records, duplicates, ignored, head);
        }
        return new Result(Optional.empty(), Optional.empty(), last, records, duplicates, ignored, head);
    }

    private static Result failed(long seq, String problem, long last, long records, long duplicates, long ignored,
                                 long head) {
        return new Result(Optional.of(seq), Optional.of(problem), last, records, duplicates, ignored, head);
    }

    private static Optional<byte[]> hash(PreparedStatement select, long seq) throws SQLException {
        select.setLong(1, seq);
        try (ResultSet row = select.executeQuery()) {
            return row.next() ? Optional.ofNullable(row.getBytes(1)) : Optional.empty();
        }
    }

    private static byte[] parseHex(String hex) {
        try {
            return HexFormat.of().parseHex(hex);
        } catch (IllegalArgumentException e) {
            return new byte[0];
        }
    }
}
