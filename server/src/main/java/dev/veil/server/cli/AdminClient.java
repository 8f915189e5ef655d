package dev.veil.server.cli;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The admin API of a running Veil as the CLI calls it: at {@code VEIL_URL} (default
 * {@code http://127.0.0.1:${VEIL_PORT:-8080}}), with {@code VEIL_MASTER_KEY} or the key in
 * {@code ${VEIL_DATA_DIR:-.veil}/master-key}. Bodies are JSON written by Jackson and query values and path segments
 * are percent-encoded, so that no option value can add a field or a parameter.
 */
final class AdminClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Long enough for a large usage export, short enough that a hung server does not hang a script. */
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(60);

    /** An answer of the admin API, success or error, as it came. */
    record Answer(int status, byte[] body) {
        boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    private final String baseUrl;
    private final String masterKey;
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    private AdminClient(String baseUrl, String masterKey) {
        this.baseUrl = baseUrl;
        this.masterKey = masterKey;
    }

    /** The client {@code environment} names; a {@link CliFailure} when it names no master key or a bad URL. */
    static AdminClient from(Map<String, String> environment) {
        String url = set(environment, "VEIL_URL")
                .orElse("http://127.0.0.1:" + set(environment, "VEIL_PORT").orElse("8080"));
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new CliFailure("VEIL_URL must be an http:// or https:// URL, such as http://127.0.0.1:8080", 2);
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
            throw new CliFailure("VEIL_URL must be an http:// or https:// URL, such as http://127.0.0.1:8080", 2);
        }
        return new AdminClient(url.replaceAll("/+$", ""), masterKey(environment));
    }

    private static String masterKey(Map<String, String> environment) {
        Optional<String> key = set(environment, "VEIL_MASTER_KEY");
        if (key.isPresent()) {
            return key.get();
        }
        Path file = Path.of(set(environment, "VEIL_DATA_DIR").orElse(".veil"), "master-key");
        try {
            String stored = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (!stored.isEmpty()) {
                return stored;
            }
        } catch (IOException e) {
            // Reported below, as for an empty file.
        }
        throw new CliFailure("no master key: set VEIL_MASTER_KEY or run from the directory holding " + file, 1);
    }

    private static Optional<String> set(Map<String, String> environment, String name) {
        return Optional.ofNullable(environment.get(name)).filter(value -> !value.isEmpty());
    }

    Answer get(String path, Map<String, String> query) {
        return send(request(path + query(query)).GET());
    }

    /** POSTs {@code body}, or an empty body. */
    Answer post(String path, Optional<JsonNode> body) {
        byte[] bytes;
        try {
            bytes = body.isPresent() ? JSON.writeValueAsBytes(body.get()) : new byte[0];
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
        return send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)));
    }

    /** {@code value} as one path segment. */
    static String segment(String value) {
        return encode(value);
    }

    private HttpRequest.Builder request(String pathAndQuery) {
        return HttpRequest.newBuilder(URI.create(baseUrl + pathAndQuery))
                .timeout(ANSWER_TIMEOUT)
                .header("Authorization", "Bearer " + masterKey);
    }

    private Answer send(HttpRequest.Builder request) {
        try {
            HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Answer(response.statusCode(), response.body());
        } catch (HttpTimeoutException e) {
            throw new CliFailure("Veil at " + baseUrl + " did not answer within " + ANSWER_TIMEOUT.toSeconds() + " s",
                    1);
        } catch (IOException e) {
            throw new CliFailure("cannot reach Veil at " + baseUrl + "; start it with ./veil run or set VEIL_URL", 1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliFailure("interrupted", 130);
        }
    }

    private static String query(Map<String, String> query) {
        StringJoiner out = new StringJoiner("&", "?", "").setEmptyValue("");
        query.forEach((name, value) -> out.add(encode(name) + "=" + encode(value)));
        return out.toString();
    }

    /** Percent-encodes everything but unreserved characters; a space is %20, never the form encoding's {@code +}. */
    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
