package dev.veil.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code veil keys ...} and {@code veil usage ...} against a real Veil: option values reach the admin API as the
 * values they are, never as JSON or query syntax, and the answer is printed as it came.
 */
class AdminCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dataDir;
    @TempDir
    Path workDir;
    private static VeilUnderTest veil;

    @BeforeAll
    static void start() {
        veil = VeilUnderTest.start("""
                server: {host: 127.0.0.1, port: 0}
                veil:
                  opa: {enabled: false}
                  master-key: %s
                  data-dir: "%s"
                  providers: {veil: {kind: echo}}
                """.formatted(VeilUnderTest.MASTER_KEY, dataDir));
    }

    @AfterAll
    static void stop() {
        veil.close();
    }

    private record Run(int exitCode, String out, String err) {
        JsonNode json() throws Exception {
            return JSON.readTree(out);
        }
    }

    private static Run run(Map<String, String> environment, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exitCode = AdminCli.run(List.of(args), environment, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exitCode, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Run run(String... args) {
        return run(masterKey(), args);
    }

    private static Map<String, String> masterKey() {
        return Map.of("VEIL_URL", veil.baseUrl(), "VEIL_MASTER_KEY", VeilUnderTest.MASTER_KEY);
    }

    private static JsonNode keysOf(String tenant) throws Exception {
        return JSON.readTree(veil.get("/admin/keys?tenant=" + tenant).body()).path("data");
    }

    @Test
    void keysCreateSendsEveryOptionAndPrintsTheKeyOnce() throws Exception {
        Run created = run("keys", "create", "--tenant", "acme", "--team", "support", "--name", "bot", "--models",
                "gpt-4o*,anthropic/*", "--label", "env=prod", "--label", "note=a=b", "--scope", "admin",
                "--expires", "2999-01-31T00:00:00Z", "--rpm", "60", "--tpm", "100000", "--budget-usd", "50",
                "--soft-usd", "40.5", "--period", "day");

        assertThat(created.exitCode()).isZero();
        assertThat(created.out()).endsWith("}\n");
        JsonNode key = created.json();
        assertThat(key.path("key").asText()).startsWith("vk-" + key.path("id").asText() + "-");
        assertThat(key.path("team").asText()).isEqualTo("support");
        assertThat(key.path("name").asText()).isEqualTo("bot");
        assertThat(key.path("models")).extracting(JsonNode::asText).containsExactly("gpt-4o*", "anthropic/*");
        assertThat(key.path("labels").path("env").asText()).isEqualTo("prod");
        assertThat(key.path("labels").path("note").asText()).isEqualTo("a=b");
        assertThat(key.path("scope").asText()).isEqualTo("admin");
        assertThat(key.path("expires_at").asText()).isEqualTo("2999-01-31T00:00:00Z");
        assertThat(key.path("limits").path("rpm").asLong()).isEqualTo(60);
        assertThat(key.path("limits").path("tpm").asLong()).isEqualTo(100000);
        assertThat(key.path("budget").path("limit_usd").decimalValue()).isEqualByComparingTo("50");
        assertThat(key.path("budget").path("soft_usd").decimalValue()).isEqualByComparingTo("40.5");
        assertThat(key.path("budget").path("period").asText()).isEqualTo("day");
    }

    @Test
    void aNumberOptionThatIsNotANumberIsRefusedAndNothingIsSent() throws Exception {
        Run rpm = run("keys", "create", "--tenant", "injected", "--rpm", "5, \"scope\": \"admin\"");
        Run budget = run("keys", "create", "--tenant", "injected", "--budget-usd", "1, \"period\": \"day\"");

        assertThat(rpm.exitCode()).isEqualTo(2);
        assertThat(rpm.err()).contains("Invalid value for option '--rpm'", "is not a whole number");
        assertThat(budget.exitCode()).isEqualTo(2);
        assertThat(budget.err()).contains("Invalid value for option '--budget-usd'", "is not a number of US dollars");
        assertThat(keysOf("injected")).isEmpty();
    }

    @Test
    void aTextOptionIsSentAsOneStringEvenWithJsonInIt() throws Exception {
        Run created = run("keys", "create", "--tenant", "quoted", "--name", "x\", \"scope\": \"admin",
                "--label", "env=prod\", \"scope\": \"admin");

        assertThat(created.exitCode()).isZero();
        JsonNode key = created.json();
        assertThat(key.path("name").asText()).isEqualTo("x\", \"scope\": \"admin");
        assertThat(key.path("labels").path("env").asText()).isEqualTo("prod\", \"scope\": \"admin");
        assertThat(key.path("scope").asText()).isEqualTo("chat");
    }

    @Test
    void queryValuesAreUrlEncodedSoTheServerReadsTheWholeValue() throws Exception {
        String tenantAdmin = run("keys", "create", "--tenant", "enc", "--scope", "admin").json().path("key").asText();
        Map<String, String> asTenantAdmin = Map.of("VEIL_URL", veil.baseUrl(), "VEIL_MASTER_KEY", tenantAdmin);

        // Sent unencoded, each would ask for tenant "enc", which this key manages.
        Run keys = run(asTenantAdmin, "keys", "list", "--tenant", "enc&b=c");
        Run usage = run(asTenantAdmin, "usage", "--tenant", "enc&b=c");

        assertThat(keys.exitCode()).isEqualTo(1);
        assertThat(keys.json().at("/error/code").asText()).isEqualTo("tenant_not_allowed");
        assertThat(usage.exitCode()).isEqualTo(1);
        assertThat(usage.json().at("/error/code").asText()).isEqualTo("tenant_not_allowed");
        assertThat(run(asTenantAdmin, "keys", "list", "--tenant", "enc").json().path("data")).hasSize(1);
    }

    @Test
    void aKeyIdIsOnePathSegment() throws Exception {
        // Sent unencoded, this would be POST /admin/keys/abc, a 405.
        Run revoked = run("keys", "revoke", "abc?x=");

        assertThat(revoked.exitCode()).isEqualTo(1);
        assertThat(revoked.json().at("/error/code").asText()).isEqualTo("key_not_found");
    }

    @Test
    void rotateAndRevokePrintTheKeyAsTheAdminApiAnswers() throws Exception {
        JsonNode created = run("keys", "create", "--tenant", "cycle").json();
        String id = created.path("id").asText();

        Run rotated = run("keys", "rotate", id);
        Run revoked = run("keys", "revoke", id);

        assertThat(rotated.exitCode()).isZero();
        assertThat(rotated.json().path("key").asText()).startsWith("vk-" + id + "-")
                .isNotEqualTo(created.path("key").asText());
        assertThat(revoked.exitCode()).isZero();
        assertThat(revoked.json().path("status").asText()).isEqualTo("revoked");
        assertThat(revoked.out()).doesNotContain(rotated.json().path("key").asText());
    }

    @Test
    void anErrorAnswerIsPrintedAsItCameAndExitsOne() throws Exception {
        Run run = run("keys", "rotate", "0123456789abcdef");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.json().at("/error/code").asText()).isEqualTo("key_not_found");
    }

    @Test
    void keysListFiltersByTenantAndTeam() throws Exception {
        run("keys", "create", "--tenant", "listed", "--team", "a");
        run("keys", "create", "--tenant", "listed", "--team", "b");

        Run listed = run("keys", "list", "--tenant", "listed", "--team", "b");

        assertThat(listed.exitCode()).isZero();
        assertThat(listed.json().path("data")).extracting(key -> key.path("team").asText()).containsExactly("b");
    }

    @Test
    void usageCsvIsTheDownloadAsItCame() {
        Run csv = run("usage", "--tenant", "acme", "--from", "2025-08-01", "--to", "2025-08-31", "--csv");

        assertThat(csv.exitCode()).isZero();
        assertThat(csv.out()).isEqualTo("day,key_id,tenant,team,user,model,requests,prompt_tokens,"
                + "completion_tokens,cached_tokens,reasoning_tokens,cost_usd\r\n\n");
    }

    @Test
    void usageByUserKeepsThatUsersRowsOnly() throws Exception {
        veil.post("/v1/chat/completions", "{\"model\": \"veil/echo\", \"messages\": [{\"role\": \"user\", "
                + "\"content\": \"Hi\"}]}");

        Run all = run("usage");
        Run ana = run("usage", "--user", "ana");

        assertThat(all.json().path("total_requests").asLong()).isPositive();
        assertThat(ana.exitCode()).isZero();
        assertThat(ana.json().path("data")).isEmpty();
    }

    @Test
    void aBadUsageDayIsTheServersAnswer() throws Exception {
        Run run = run("usage", "--from", "yesterday");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.json().at("/error/param").asText()).isEqualTo("from");
    }

    @Test
    void theMasterKeyIsReadFromTheDataDirWithoutVeilMasterKey() throws Exception {
        Files.writeString(workDir.resolve("master-key"), VeilUnderTest.MASTER_KEY + "\n");

        Run run = run(Map.of("VEIL_URL", veil.baseUrl(), "VEIL_DATA_DIR", workDir.toString()), "keys", "list");

        assertThat(run.exitCode()).isZero();
        assertThat(run.json().path("object").asText()).isEqualTo("list");
    }

    @Test
    void withoutAMasterKeyItSaysWhereOneIsLookedFor() {
        Run run = run(Map.of("VEIL_URL", veil.baseUrl(), "VEIL_DATA_DIR", workDir.toString()), "keys", "list");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("veil: no master key: set VEIL_MASTER_KEY or run from the directory holding "
                + workDir.resolve("master-key") + "\n");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void withNoVeilListeningItSaysSo() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Map<String, String> environment = new HashMap<>(masterKey());
        environment.put("VEIL_URL", "http://127.0.0.1:" + port);

        Run run = run(environment, "usage");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("veil: cannot reach Veil at http://127.0.0.1:" + port + "; start it with "
                + "./veil run or set VEIL_URL\n");
    }

    @Test
    void anUnknownOptionOrAMissingCommandIsAUsageMistake() {
        Run unknown = run("keys", "create", "--tenant", "acme", "--colour", "blue");
        Run missing = run("keys");

        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).contains("Unknown option").contains("'--colour'");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("create, list, rotate or revoke");
    }

    @Test
    void theServerJarsMainRunsTheSubcommands() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "dev.veil.server.Main", "keys", "create", "--tenant", "jar", "--rpm", "5")
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().putAll(masterKey());
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isZero();
        assertThat(JSON.readTree(out).path("limits").path("rpm").asLong()).isEqualTo(5);
    }
}
