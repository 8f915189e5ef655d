package dev.veil.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;

import dev.veil.server.audit.AuditDatabase;
import dev.veil.server.audit.AuditExporter;
import dev.veil.server.config.AuditConfig;
import dev.veil.server.config.ConfigLoader;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model name with a line break once reached the provider, then failed as the {@code x-veil-model} header was
 * written: the client got an empty 500 and the audit record said 200. It is now refused as the request is read, and
 * the record says what the client got.
 */
class ModelNameAuditTest {
    @TempDir
    Path dir;

    private FakeOpenAiUpstream upstream;
    private VeilUnderTest veil;
    private AuditConfig audit;

    @BeforeEach
    void start() throws IOException {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Path keyFile = Files.writeString(dir.resolve("audit-key"), Base64.getEncoder().encodeToString(key) + "\n");
        upstream = new FakeOpenAiUpstream();
        String yaml = VeilUnderTest.config(upstream, "  audit: {key-file: \"" + keyFile + "\", file: \""
                + dir.resolve("audit.db") + "\"}\n  data-dir: \"" + dir + "\"\n");
        audit = ConfigLoader.fromYaml(yaml, Map.<String, String>of()::get).audit().orElseThrow();
        veil = VeilUnderTest.start(yaml);
    }

    @AfterEach
    void stop() throws IOException {
        if (veil != null) {
            veil.close();
        }
        upstream.close();
    }

    @Test
    void aModelNameWithALineBreakIsA400RecordedAsOneAndNeverReachesTheProvider() {
        HttpResponse<String> response = veil.post("/v1/chat/completions",
                "{\"model\":\"gpt-4o\\r\\nX-Injected: 1\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(response.body()).contains("\"code\":\"invalid_model\"").doesNotContain("Injected");
        assertThat(upstream.received()).isEmpty();
        assertThat(recordOf(response)).containsEntry("status", 400).doesNotContainKey("provider");
    }

    private Map<String, Object> recordOf(HttpResponse<String> response) {
        String requestId = response.headers().firstValue("x-veil-request-id").orElseThrow();
        try (AuditDatabase database = AuditDatabase.open(audit, false)) {
            return new AuditExporter(database).all().values().stream()
                    .filter(record -> requestId.equals(record.get("request_id"))).findFirst().orElseThrow();
        }
    }
}
