package dev.veil.server.audit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Supplier;

import dev.veil.server.config.AuditConfig;
import dev.veil.spi.Usage;

/** Audit configs on temporary files and sample events, shared by the audit tests. */
final class AuditFixtures {
    private AuditFixtures() {
    }

    static Path newKeyFile(Path dir, String name) throws IOException {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Path file = dir.resolve(name);
        Files.writeString(file, Base64.getEncoder().encodeToString(key) + "\n");
        return file;
    }

    static AuditConfig config(Path database, Path keyFile, boolean async, int checkpointRecords) {
        return new AuditConfig(database, async, new AuditConfig.KeyFile(keyFile), AuditConfig.DEFAULT_ROTATE,
                checkpointRecords, Duration.ofHours(1), true, AuditConfig.DEFAULT_MAX_CONTENT_BYTES,
                Duration.ofSeconds(5));
    }

    /** A sync log written by the node {@code nodeId}, signing a checkpoint every two records. */
    static AuditConfig config(Path database, Path keyFile, String nodeId) {
        return new AuditConfig(database, false, new AuditConfig.KeyFile(keyFile), AuditConfig.DEFAULT_ROTATE, 2,
                Duration.ofHours(1), true, AuditConfig.DEFAULT_MAX_CONTENT_BYTES, Duration.ofSeconds(5),
                AuditConfig.DEFAULT_FSYNC, nodeId);
    }

    static AuditEvent event(String requestId) {
        return event(requestId, false);
    }

    static AuditEvent event(String requestId, boolean zeroRetention) {
        Supplier<String> prompt = () -> "{\"messages\":[{\"role\":\"user\",\"content\":\"Hello <PERSON_1>\"}]}";
        Supplier<String> response = () -> "Hi <PERSON_1>";
        return new AuditEvent(requestId, "openai.chat", Optional.of("master"), Optional.of("default"),
                Optional.of("default"), Optional.of("smart"), Optional.of("openai"), Optional.of("gpt-4o"), 1,
                Optional.of("decision-1"), Optional.of("sha256:0f"), List.of(), Map.of("PERSON", 1),
                Optional.of(Usage.of(10, 3)),
                OptionalLong.of(42), 1234, 200,
                Optional.empty(), Optional.of("miss"), zeroRetention,
                zeroRetention ? Optional.of("header") : Optional.empty(), false, Optional.of(prompt),
                Optional.of(response));
    }

    /** Writes {@code count} records with request ids req-1..req-count and closes the log. */
    static void write(AuditConfig config, int count) {
        try (AuditLog log = AuditLog.open(config)) {
            for (int i = 1; i <= count; i++) {
                log.record(event("req-" + i));
            }
        }
    }
}
