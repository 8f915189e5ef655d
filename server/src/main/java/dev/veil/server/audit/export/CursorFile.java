package dev.veil.server.audit.export;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HexFormat;
import java.util.Optional;

import dev.veil.server.storage.PrivateFiles;

/**
 * A sink's durable cursor: the sequence number and hash of the last record it acknowledged, in a small file beside
 * the audit log ({@code <log>.export/<sink>.cursor}), replaced atomically after each acknowledged batch. The hash ties
 * the cursor to the log: when the log at that sequence number holds another record (a new log in the old one's
 * place), the cursor does not apply and the sink starts from the first record.
 *
 * <p>It is not flushed to the disk on every write: after a crash of the machine it may be older than what the sink
 * has, and the records after it are sent again, which at-least-once delivery allows.
 */
final class CursorFile {
    /** Where a sink stands: nothing delivered yet is {@code seq} 0. */
    record Position(long seq, byte[] hash) {
        static final Position START = new Position(0, new byte[0]);
    }

    private final Path file;
    private final Path temporary;

    CursorFile(Path auditLog, String sink) {
        Path dir = auditLog.toAbsolutePath().resolveSibling(auditLog.getFileName() + ".export");
        this.file = dir.resolve(sink + ".cursor");
        this.temporary = dir.resolve(sink + ".cursor.tmp");
    }

    Path path() {
        return file;
    }

    /**
     * The stored position, if there is a readable one.
     *
     * @throws IOException when the file exists but cannot be read
     */
    Optional<Position> load() throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII).trim();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        String[] parts = text.split(" ");
        try {
            if (parts.length == 2) {
                return Optional.of(new Position(Long.parseLong(parts[0]), HexFormat.of().parseHex(parts[1])));
            }
        } catch (IllegalArgumentException e) {
            // Damaged: reported as absent, below.
        }
        return Optional.empty();
    }

    void store(Position position) throws IOException {
        if (!Files.isDirectory(file.getParent())) {
            PrivateFiles.createDirectories(file.getParent());
        }
        Files.writeString(temporary, position.seq() + " " + HexFormat.of().formatHex(position.hash()) + "\n",
                StandardCharsets.US_ASCII);
        try {
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
