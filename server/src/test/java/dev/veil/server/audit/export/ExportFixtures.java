package dev.veil.server.audit.export;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Supplier;

import dev.veil.server.audit.AuditCli;
import dev.veil.server.audit.AuditEvent;
import dev.veil.server.audit.AuditLog;
import dev.veil.server.config.AuditConfig;
import dev.veil.server.config.ConfigLoader;
import dev.veil.server.config.VeilConfig;
import dev.veil.spi.Usage;
import io.opentelemetry.api.OpenTelemetry;

/** An audit log with export sinks, configured from YAML as an operator would, and records to write to it. */
final class ExportFixtures {
    static final String TOKEN = "hec-token-0123456789abcdef";
    static final String PROMPT_TEXT = "Hello <PERSON_1>, the secret plan";

    private ExportFixtures() {
    }

    /** The YAML of a Veil whose audit log in {@code dir} streams to {@code sinks} (YAML list items, indented 6). */
    static String yaml(Path dir, String sinks) throws IOException {
        return """
                veil:
                  opa: {enabled: false}
                  master-key: test-master-key
                  providers: {veil: {kind: echo}}
                """ + auditYaml(dir, sinks);
    }

    /** The lines under {@code veil:} that keep an audit log in {@code dir} streaming to {@code sinks}. */
    static String auditYaml(Path dir, String sinks) throws IOException {
        Path key = dir.resolve("audit-key");
        if (!Files.exists(key)) {
            byte[] bytes = new byte[32];
            new SecureRandom().nextBytes(bytes);
            Files.writeString(key, Base64.getEncoder().encodeToString(bytes) + "\n");
        }
        return """
                  node-id: node-a
                  data-dir: "%s"
                  audit:
                    key-file: "%s"
                    export:
                %s""".formatted(dir, key, sinks);
    }

    static VeilConfig config(String yaml) {
        return ConfigLoader.fromYaml(yaml, Map.<String, String>of()::get);
    }

    static AuditConfig audit(String yaml) {
        return config(yaml).audit().orElseThrow();
    }

    static AuditStreaming stream(AuditConfig config, AuditLog log) {
        return AuditStreaming.start(config, log, Map.of("openai", "eu-west-1"),
                OpenTelemetry.noop().getMeter("test"), InstantSource.system());
    }

    static void write(AuditLog log, int from, int to) {
        for (int i = from; i <= to; i++) {
            log.record(event("req-" + i));
        }
    }

    static AuditEvent event(String requestId) {
        Supplier<String> prompt = () -> PROMPT_TEXT;
        Supplier<String> response = () -> "Hi <PERSON_1>";
        return new AuditEvent(requestId, "openai.chat", Optional.of("vk-1"), Optional.of("acme"),
                Optional.of("risk"), Optional.of("smart"), Optional.of("openai"), Optional.of("gpt-4o"), 1,
                Optional.of("decision-1"), Optional.of("policies-rev-7"), List.of(), Map.of("PERSON", 1, "EMAIL", 2), Optional.of(Usage.of(10, 3)),
                OptionalLong.of(42), 1234, 200, Optional.empty(), Optional.of("miss"), false, Optional.empty(), false,
                Optional.of(prompt), Optional.of(response));
    }

    /** What {@code veil audit verify --against-export} prints and exits with. */
    record Verified(int exit, String out) {
    }

    static Verified verifyAgainst(String yaml, Path export, String... more) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AuditCli cli = new AuditCli(file -> config(yaml), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(out, true, StandardCharsets.UTF_8));
        List<String> args = new java.util.ArrayList<>(List.of("verify", "--against-export", export.toString()));
        args.addAll(List.of(more));
        int exit = cli.run(args);
        return new Verified(exit, out.toString(StandardCharsets.UTF_8));
    }
}
