import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;

/**
 * The floor under a cache hit: a bare Helidon WebServer, the same Helidon as Veil, that reads each request's body and
 * answers with one chat.completion held in memory (fetched once from the fake upstream, so it is the very answer a
 * Veil cache hit replays; a streaming request gets the fake's stream, also from memory, for the load generator's
 * sanity check). No authentication, parsing, plugins or digest: what is left is the HTTP exchange over
 * loopback, Helidon and the JVM's threads on this machine. bench/run --cache measures it next to Veil.
 *
 * <p>Usage: {@code java -cp 'veil/libs/*' HelidonFloor.java <port-file> <fake-base-url>}
 */
public final class HelidonFloor {
    public static void main(String[] args) throws Exception {
        Path portFile = Path.of(args[0]);
        byte[] answer = fetch(args[1], false);
        byte[] stream = fetch(args[1], true);
        WebServer server = WebServer.builder().host("127.0.0.1").port(0)
                .routing(HttpRouting.builder()
                        .get("/health/live", (req, res) -> res.send())
                        .post("/v1/chat/completions", (req, res) -> {
                            boolean streaming = new String(req.content().as(byte[].class), StandardCharsets.UTF_8)
                                    .contains("\"stream\":true");
                            res.header(HeaderNames.CONTENT_TYPE, streaming ? "text/event-stream" : "application/json")
                                    .send(streaming ? stream : answer);
                        }))
                .build().start();
        Files.writeString(portFile, Integer.toString(server.port()));
    }

    private static byte[] fetch(String fake, boolean stream) throws Exception {
        String body = "{\"model\":\"gpt-4o-mini\",\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(fake + "/v1/chat/completions"))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(), HttpResponse.BodyHandlers.ofByteArray()).body();
    }
}
