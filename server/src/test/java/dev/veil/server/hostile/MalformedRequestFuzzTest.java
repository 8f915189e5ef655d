package dev.veil.server.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import dev.veil.server.api.Routes;
import dev.veil.server.testing.ErrorShape;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ten thousand malformed requests on every route Veil serves (and the admin API, and paths it does not serve), sent
 * over raw sockets by parallel connections, kept alive where a request's framing allows: none may be answered with a
 * 5xx (but 501 for a transfer coding Veil does not take and 505 for an HTTP version it does not speak, which ask for
 * them), none may go unanswered or hang, and every 4xx must come in the route's error shape. The requests come from a
 * seed, printed with every failure ({@code -Dveil.fuzz.seed=N} replays it).
 */
class MalformedRequestFuzzTest {
    /** At least the ten thousand the acceptance asks for; fewer only by hand, to look into a failure. */
    private static final int REQUESTS = Integer.getInteger("veil.fuzz.requests", 10_240);
    private static final int CONNECTIONS = 8;
    /** A guard against a hung server, not a measurement: a read that waits this long is a hang. */
    private static final int HANG_MILLIS = 20_000;
    private static final long SEED = Long.getLong("veil.fuzz.seed", 0x5EEDL);

    @TempDir
    static Path dataDir;

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
                  limits: {header-timeout: 5s, body-idle-timeout: 5s, body-timeout: 10s, idle-timeout: 5s}
                """.formatted(VeilUnderTest.MASTER_KEY, dataDir));
    }

    @AfterAll
    static void stop() {
        veil.close();
    }

    @Test
    void tenThousandMalformedRequestsGetNoServerErrorNoHangAndErrorsInShape() throws Exception {
        MalformedRequests requests = new MalformedRequests(SEED, targets(veil.routes()));
        AtomicInteger next = new AtomicInteger();
        AtomicInteger answered = new AtomicInteger();
        Queue<String> failures = new ConcurrentLinkedQueue<>();
        ExecutorService workers = Executors.newFixedThreadPool(CONNECTIONS);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int i = 0; i < CONNECTIONS; i++) {
                running.add(workers.submit(() -> {
                    send(requests, next, answered, failures);
                    return null;
                }));
            }
            for (Future<?> worker : running) {
                worker.get();
            }
        } finally {
            workers.shutdownNow();
        }

        String report = System.getProperty("veil.fuzz.report");
        if (report != null) {
            java.nio.file.Files.write(Path.of(report), failures);
        }
        assertThat(failures).as("%d failures with seed %d (-Dveil.fuzz.seed=%d replays them); by kind:%n%s%nthe "
                        + "first 25:%n%s", failures.size(), SEED, SEED, summary(failures),
                String.join("\n", failures.stream().limit(25).toList())).isEmpty();
        assertThat(answered.get()).isEqualTo(REQUESTS);
    }

    /** One connection's share: requests in turn, a new connection whenever the last cannot carry the next. */
    private static void send(MalformedRequests requests, AtomicInteger next, AtomicInteger answered,
                             Queue<String> failures) throws IOException {
        Connection connection = null;
        try {
            for (int index = next.getAndIncrement(); index < REQUESTS; index = next.getAndIncrement()) {
                MalformedRequests.Case request = requests.generate(index);
                if (connection != null && request.http10()) {
                    // As an HTTP/1.0 client does: each of its connections begins with its own request.
                    connection.close();
                    connection = null;
                }
                if (connection == null) {
                    connection = new Connection(veil.port());
                }
                String failure;
                Response response = null;
                try {
                    response = connection.exchange(request);
                    failure = judge(request, response);
                } catch (SocketTimeoutException e) {
                    failure = "no answer within the hang guard (a hang)";
                } catch (IOException e) {
                    failure = "no answer: " + e.getMessage();
                }
                answered.incrementAndGet();
                if (failure != null) {
                    failures.add("#" + request.index() + " (" + request.kind() + "): " + failure + "\n    sent: "
                            + request.printable() + (response == null ? "" : "\n    got: " + response.statusLine()
                            + " " + response.bodyText().substring(0, Math.min(300, response.bodyText().length()))));
                }
                if (response == null || !request.reusable() || response.closes()) {
                    connection.close();
                    connection = null;
                }
            }
        } finally {
            if (connection != null) {
                connection.close();
            }
        }
    }

    /** How many failures of each kind and outcome: the first line of each, less its request number. */
    private static String summary(Queue<String> failures) {
        java.util.Map<String, Long> counts = new java.util.TreeMap<>();
        for (String failure : failures) {
            String first = failure.lines().findFirst().orElse("");
            counts.merge(first.substring(first.indexOf(' ') + 1), 1L, Long::sum);
        }
        StringBuilder text = new StringBuilder();
        counts.forEach((kind, count) -> text.append("  ").append(count).append(" x ").append(kind).append('\n'));
        return text.toString();
    }

    /** Why {@code response} is wrong for {@code request}, or {@code null}. */
    private static String judge(MalformedRequests.Case request, Response response) {
        int status = response.status();
        if (status >= 500 && status != request.allowed5xx()) {
            return "answered " + status;
        }
        if (status >= 400 && !request.headRequest() && !ErrorShape.matches(request.shapePath(),
                response.bodyText())) {
            return "a " + status + " not in the " + (ErrorShape.isMcpPath(request.shapePath()) ? "JSON-RPC"
                    : ErrorShape.isAnthropicPath(request.shapePath()) ? "Anthropic" : "OpenAI") + " error shape";
        }
        return null;
    }

    /** Every route Veil lists (the admin API among them), and paths it does not serve. */
    private static List<MalformedRequests.Target> targets(Routes routes) {
        List<MalformedRequests.Target> targets = new ArrayList<>();
        for (Routes.Route route : routes.all()) {
            String path = route.path().replace("{+model}", "gpt-4o").replaceAll("\\{[^}]*}", "vk_unknown")
                    .replace("/*", "/anything");
            targets.add(new MalformedRequests.Target(route.method().text(), path));
        }
        for (String unknown : new String[] {"/", "/favicon.ico", "/health", "/ADMIN/keys", "/v2/chat/completions",
                "/v1", "/v1/anything", "/admin", "/admin/unknown", "/health/live/extra", "/V1/MODELS"}) {
            targets.add(new MalformedRequests.Target(null, unknown));
        }
        return targets;
    }

    /** A response as sent: status line, header lines, body read by the framing the headers announce. */
    private record Response(String statusLine, List<String> headers, byte[] body) {
        int status() {
            String[] parts = statusLine.split(" ");
            return parts.length > 1 && parts[1].matches("\\d{3}") ? Integer.parseInt(parts[1]) : -1;
        }

        String header(String name) {
            String prefix = name.toLowerCase(Locale.ROOT) + ":";
            return headers.stream().filter(line -> line.toLowerCase(Locale.ROOT).startsWith(prefix))
                    .map(line -> line.substring(prefix.length()).trim()).findFirst().orElse(null);
        }

        boolean closes() {
            String connection = header("Connection");
            return connection != null && connection.equalsIgnoreCase("close");
        }

        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** One raw connection that sends a request and reads its response. */
    private static final class Connection implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        Connection(int port) throws IOException {
            socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setSoTimeout(HANG_MILLIS);
            socket.setTcpNoDelay(true);
            in = new BufferedInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        }

        Response exchange(MalformedRequests.Case request) throws IOException {
            try {
                out.write(request.bytes());
                out.flush();
            } catch (SocketException e) {
                // The server may answer and close before all of a request it refused is written; the answer is
                // still there to read.
            }
            String statusLine = line();
            List<String> headers = new ArrayList<>();
            for (String line = line(); !line.isEmpty(); line = line()) {
                headers.add(line);
            }
            Response head = new Response(statusLine, headers, new byte[0]);
            int status = head.status();
            byte[] body;
            String length = head.header("Content-Length");
            String coding = head.header("Transfer-Encoding");
            if (request.headRequest() || status == 204 || status == 304) {
                body = new byte[0];
            } else if (length != null) {
                body = in.readNBytes(Integer.parseInt(length));
            } else if (coding != null && coding.equalsIgnoreCase("chunked")) {
                body = chunked();
            } else {
                body = in.readAllBytes();
            }
            return new Response(statusLine, headers, body);
        }

        private byte[] chunked() throws IOException {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            while (true) {
                int size = Integer.parseInt(line().split(";")[0].trim(), 16);
                if (size == 0) {
                    while (!line().isEmpty()) {
                        // trailer fields
                    }
                    return body.toByteArray();
                }
                body.writeBytes(in.readNBytes(size));
                line();
            }
        }

        private String line() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            for (int b = in.read(); b != '\n'; b = in.read()) {
                if (b == -1) {
                    throw new IOException("connection closed " + (line.size() == 0 ? "without an answer"
                            : "in the middle of a response head"));
                }
                line.write(b);
            }
            String text = line.toString(StandardCharsets.ISO_8859_1);
            return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
