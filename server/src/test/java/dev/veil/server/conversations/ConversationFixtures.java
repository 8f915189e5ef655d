package dev.veil.server.conversations;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import dev.veil.server.audit.AuditKeys;
import dev.veil.server.config.ResponsesConfig;

/**
 * Stored responses carrying a person's name and email (the personal data the store must never write in clear), the
 * config of a store in a temporary data dir, and raw looks at the files it writes.
 */
final class ConversationFixtures {
    static final String TENANT_A = "tenant-a";
    static final String TENANT_B = "tenant-b";
    static final String NAME = "Margarethe Quistorp";
    static final String EMAIL = "m.quistorp@example.org";
    static final Duration TTL = Duration.ofDays(30);

    private ConversationFixtures() {
    }

    static AuditKeys newKeys() {
        byte[] kek = new byte[AuditKeys.KEY_BYTES];
        new SecureRandom().nextBytes(kek);
        return AuditKeys.of(kek);
    }

    static ResponsesConfig config(Path dataDir) {
        return ResponsesConfig.defaults(dataDir);
    }

    /** A turn whose input, answer and pseudonyms all carry {@link #NAME} and {@link #EMAIL}. */
    static StoredResponse turn(String id, String tenant, Optional<String> previousId, Instant createdAt,
                               boolean zeroRetention) {
        String input = """
                [{"id":"msg_%s","type":"message","role":"user","content":[{"type":"input_text",\
                "text":"Write to %s at %s"}]}]""".formatted(id, NAME, EMAIL);
        String response = """
                {"id":"%s","object":"response","output":[{"type":"message","role":"assistant","content":\
                [{"type":"output_text","text":"Dear %s, I have written to %s."}]}]}""".formatted(id, NAME, EMAIL);
        Map<String, String> pseudonyms = new LinkedHashMap<>();
        pseudonyms.put("<PERSON_1>", NAME);
        pseudonyms.put("<EMAIL_1>", EMAIL);
        return new StoredResponse(id, tenant, previousId, createdAt,
                createdAt.plus(zeroRetention ? ResponsesConfig.DEFAULT_MEMORY_TTL : TTL), "gpt-4o",
                input.getBytes(StandardCharsets.UTF_8), response.getBytes(StandardCharsets.UTF_8), pseudonyms,
                zeroRetention);
    }

    /** The names of the files in {@code dir} whose bytes contain {@code text}. */
    static Stream<String> filesContaining(Path dir, String text) {
        byte[] needle = text.getBytes(StandardCharsets.UTF_8);
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList().stream().filter(file -> contains(read(file), needle))
                    .map(file -> file.getFileName().toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every file in {@code dir} with its bytes, to compare before and after. */
    static Map<String, byte[]> snapshot(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            Map<String, byte[]> contents = new LinkedHashMap<>();
            files.sorted().forEach(file -> contents.put(file.getFileName().toString(), read(file)));
            return contents;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs {@code sql} on the file through a connection of its own, as someone with the file and no key would. */
    static void execute(Path file, String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
             Statement statement = connection.createStatement()) {
            statement.executeUpdate(sql);
        }
    }

    static long rows(Path file) throws SQLException {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
             Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT COUNT(*) FROM responses")) {
            row.next();
            return row.getLong(1);
        }
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return true;
            }
        }
        return false;
    }
}
