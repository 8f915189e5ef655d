package dev.veil.server.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A real Keycloak ({@code org.keycloak:keycloak-quarkus-dist}, which {@code ./veil test} downloads into
 * {@code .tools/}) in dev mode on a free loopback port, with the realm {@code veil} imported from
 * {@code src/test/resources/keycloak/veil-realm.json}: the confidential client {@code veil-service} (client-credentials
 * grant), the public client {@code veil-cli} (password grant), users {@code ana} (group {@code risk}), {@code audra}
 * (realm role {@code auditor}) and {@code kai} (realm role {@code key-admin}), every token with audience {@code veil},
 * a {@code groups} claim and the claim {@code tenant: bank}.
 *
 * <p>Each instance runs from its own temporary directory (its H2 database and realm import there); the distribution's
 * {@code lib/}, {@code conf/}, {@code providers/} and {@code themes/} are linked, not copied, so that the first start's
 * build of the distribution (about a minute and a half) serves every later one. Keycloak needs no network besides
 * the loopback port it listens on.
 */
public final class KeycloakProcess implements AutoCloseable {
    public static final String VERSION = "26.7.3";
    public static final String REALM = "veil";
    private static final Path PROJECT = Path.of(System.getProperty("veil.project.dir", ".."));
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;
    private final Path dir;
    private final int port;

    private KeycloakProcess(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    /** Starts Keycloak and waits until the realm answers (minutes at most, the first time on a slow machine). */
    public static KeycloakProcess start() throws IOException {
        Path home = home();
        Path dir = Files.createTempDirectory("veil-keycloak");
        Files.createDirectories(dir.resolve("bin"));
        try (Stream<Path> scripts = Files.list(home.resolve("bin"))) {
            for (Path script : scripts.filter(Files::isRegularFile).toList()) {
                Path copy = dir.resolve("bin").resolve(script.getFileName());
                Files.copy(script, copy);
                copy.toFile().setExecutable(script.toFile().canExecute());
            }
        }
        for (String shared : List.of("lib", "conf", "providers", "themes", "version.txt")) {
            Files.createSymbolicLink(dir.resolve(shared), home.resolve(shared).toAbsolutePath());
        }
        Path imports = Files.createDirectories(dir.resolve("data/import"));
        try (InputStream realm = KeycloakProcess.class.getResourceAsStream("/keycloak/veil-realm.json")) {
            Files.copy(realm, imports.resolve("veil-realm.json"));
        }
        int port = LocalProcesses.freePort();
        int management = LocalProcesses.freePort();
        ProcessBuilder builder = new ProcessBuilder(dir.resolve("bin/kc.sh").toString(), "start-dev",
                "--http-host", "127.0.0.1", "--http-port", Integer.toString(port),
                "--http-management-port", Integer.toString(management), "--import-realm")
                .redirectErrorStream(true).redirectOutput(dir.resolve("keycloak.log").toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("KC_BOOTSTRAP_ADMIN_USERNAME", "admin");
        builder.environment().put("KC_BOOTSTRAP_ADMIN_PASSWORD", "admin-password");
        KeycloakProcess keycloak = new KeycloakProcess(builder.start(), dir, port);
        try {
            LocalProcesses.awaitOk("Keycloak importing realm " + REALM, keycloak.process,
                    URI.create(keycloak.issuer() + "/.well-known/openid-configuration"), Duration.ofMinutes(5),
                    keycloak::log);
        } catch (RuntimeException | Error e) {
            keycloak.close();
            throw e;
        }
        return keycloak;
    }

    private static Path home() {
        Path home = PROJECT.resolve(".tools/keycloak-" + VERSION);
        if (!Files.isExecutable(home.resolve("bin/kc.sh"))) {
            throw new IllegalStateException("Keycloak " + VERSION + " is missing from " + home + ": run ./veil test, "
                    + "which downloads org.keycloak:keycloak-quarkus-dist:" + VERSION + " from Maven Central into "
                    + ".tools/");
        }
        return home;
    }

    /** The realm's issuer: what its tokens carry as {@code iss}. */
    public String issuer() {
        return "http://127.0.0.1:" + port + "/realms/" + REALM;
    }

    /** The realm's JWK set. */
    public String jwksUrl() {
        return issuer() + "/protocol/openid-connect/certs";
    }

    /** An access token for a user of the realm, by the password grant of the public client {@code veil-cli}. */
    public String passwordToken(String username, String password) {
        return token(Map.of("grant_type", "password", "client_id", "veil-cli", "username", username,
                "password", password));
    }

    /** An access token for the service account of {@code veil-service}, by the client-credentials grant. */
    public String clientCredentialsToken() {
        return token(Map.of("grant_type", "client_credentials", "client_id", "veil-service",
                "client_secret", "veil-service-secret"));
    }

    private String token(Map<String, String> form) {
        String body = new LinkedHashMap<>(form).entrySet().stream().map(entry -> entry.getKey() + "="
                + URLEncoder.encode(entry.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
        try {
            HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(URI.create(issuer()
                    + "/protocol/openid-connect/token")).timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode answer = JSON.readTree(response.body());
            if (response.statusCode() != 200 || !answer.hasNonNull("access_token")) {
                throw new IllegalStateException("Keycloak refused a token: " + response.statusCode() + " "
                        + response.body());
            }
            return answer.get("access_token").asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The last lines of Keycloak's output, for a failure message. */
    public String log() throws IOException {
        List<String> lines = Files.readAllLines(dir.resolve("keycloak.log"));
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    /** Stops Keycloak (kc.sh and the JVM it started) and deletes its directory. */
    @Override
    public void close() {
        for (ProcessHandle child : process.descendants().toList()) {
            child.destroy();
            child.onExit().join();
        }
        LocalProcesses.stop(process);
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
