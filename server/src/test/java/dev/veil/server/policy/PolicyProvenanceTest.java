package dev.veil.server.policy;

import static dev.veil.server.testing.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.server.audit.AuditCli;
import dev.veil.server.config.ConfigLoader;
import dev.veil.server.config.OpaConfig;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.LocalProcesses;
import dev.veil.server.testing.OpaProcess;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which policies took a decision, as the audit record states it, read from a real OPA. */
class PolicyProvenanceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] INPUT = "{\"tenant\": \"default\"}".getBytes(StandardCharsets.UTF_8);

    private static OpaProcess opa;

    @TempDir
    Path dir;

    @BeforeAll
    static void startOpa() throws Exception {
        opa = OpaProcess.start();
    }

    @AfterAll
    static void stopOpa() {
        opa.close();
    }

    @Test
    void theAuditRecordNamesTheDecisionAndTheHashOfThePoliciesOpaLoaded() throws Exception {
        Path key = dir.resolve("audit-key");
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        Files.writeString(key, Base64.getEncoder().encodeToString(bytes) + "\n");
        String yaml = """
                server: {host: 127.0.0.1, port: 0}
                veil:
                  master-key: %s
                  data-dir: "%s"
                  opa: {url: "%s"}
                  audit: {key-file: "%s"}
                  providers:
                    openai: {kind: openai, base-url: "%s", api-key: k, region: us}
                  models:
                    smart: {targets: ["openai/gpt-4o"]}
                """;
        HttpResponse<String> response;
        try (FakeOpenAiUpstream upstream = new FakeOpenAiUpstream()) {
            String config = yaml.formatted(VeilUnderTest.MASTER_KEY, dir, opa.url(), key, upstream.baseUrl());
            try (VeilUnderTest veil = VeilUnderTest.start(config)) {
                response = veil.post("/v1/chat/completions",
                        "{\"model\":\"smart\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            }
            JsonNode record = exportedRecords(config).get(0).path("record");

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(record.path("policy_revision").asText()).isEqualTo(hashOfRegoFiles(opa.policies()));
            assertThat(record.path("decision_id").asText())
                    .isEqualTo(response.headers().firstValue("x-veil-decision-id").orElseThrow());
        }
    }

    @Test
    void aPolicyAddedWhileRunningChangesTheRevisionOfLaterDecisions() throws Exception {
        try (OpaPolicyClient client = new OpaPolicyClient(opaConfig(opa.url()))) {
            String before = client.decide(INPUT).revision().orElseThrow();
            Path added = opa.policies().resolve("provenance_probe.rego");
            Files.writeString(added, "package veil.provenance_probe\n\nmarker := 1\n");
            try {
                await("OPA loads the new module").atMost(Duration.ofSeconds(10))
                        .until(() -> opa.loaded("provenance_probe"));

                String expected = hashOfRegoFiles(opa.policies());

                await("a decision names the new revision").atMost(Duration.ofSeconds(10))
                        .pollInterval(Duration.ofMillis(100))
                        .until(() -> client.decide(INPUT).revision().orElseThrow(), expected::equals);
                assertThat(expected).isNotEqualTo(before);
            } finally {
                Files.delete(added);
            }
        }
    }

    @Test
    void aBundleNamesItsRevisionFromItsManifest() throws Exception {
        Path bundle = dir.resolve("bundle");
        Files.createDirectories(bundle.resolve("veil"));
        Files.writeString(bundle.resolve("veil/decision.rego"), "package veil\n\ndecision := {\"allow\": true}\n");
        Files.writeString(bundle.resolve(".manifest"), "{\"revision\": \"release-2026.12.1\", \"roots\": [\"veil\"]}");
        int port = LocalProcesses.freePort();
        Process process = new ProcessBuilder(OpaProcess.binary().toString(), "run", "--server", "--addr",
                "127.0.0.1:" + port, "--log-level", "error", "--bundle", bundle.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try (OpaPolicyClient client = new OpaPolicyClient(opaConfig("http://127.0.0.1:" + port))) {
            String revision = await("the bundle served").atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                    .until(() -> client.decide(INPUT).revision().orElseThrow(), r -> r.startsWith("bundle:"));

            assertThat(revision).isEqualTo("bundle:" + bundle + "@release-2026.12.1");
        } finally {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static OpaConfig opaConfig(String url) {
        return new OpaConfig(URI.create(url), OpaConfig.DEFAULT_DECISION_PATH, Duration.ofSeconds(2), false, 0,
                Optional.empty(), Duration.ZERO);
    }

    private static List<JsonNode> exportedRecords(String config) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AuditCli cli = new AuditCli(file -> ConfigLoader.fromYaml(config, Map.<String, String>of()::get),
                new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        assertThat(cli.run(List.of("export"))).isZero();
        List<JsonNode> records = new ArrayList<>();
        for (String line : out.toString(StandardCharsets.UTF_8).lines().toList()) {
            records.add(JSON.readTree(line));
        }
        return records;
    }

    /**
     * What the audit record must say, computed here from the files: SHA-256 over the sources of every Rego file OPA
     * serves, in sorted order, each followed by a zero byte.
     */
    private static String hashOfRegoFiles(Path policies) throws Exception {
        List<String> sources = new ArrayList<>();
        try (Stream<Path> files = Files.walk(policies)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".rego")).toList()) {
                sources.add(Files.readString(file));
            }
        }
        sources.sort(null);
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        for (String source : sources) {
            digest.update(source.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
        }
        return "sha256:" + HexFormat.of().formatHex(digest.digest());
    }
}
