package dev.veil.server.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A local HTTP server speaking Splunk's HTTP Event Collector protocol as documented: {@code POST
 * /services/collector/event} with {@code Authorization: Splunk <token>} and a body of JSON events, concatenated;
 * {@code 200 {"text":"Success","code":0}}; {@code 401 {"text":"Token is required","code":2}} without a token,
 * {@code 403 {"text":"Invalid token","code":4}} with another; {@code 400 {"text":"Invalid data format","code":6}}
 * for a body that is not JSON events. {@link #failing} makes it answer {@code 503 {"text":"Server is busy","code":9}}
 * instead, the way an overloaded indexer does. Accepted events are appended to {@link #events()}, one JSON a line, in
 * the order received: what a SIEM holds.
 */
public final class FakeHecReceiver implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final String token;
    private final Path events;
    private final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
    private final AtomicInteger refused = new AtomicInteger();
    private volatile boolean failing;

    private FakeHecReceiver(HttpServer server, String token, Path events) {
        this.server = server;
        this.token = token;
        this.events = events;
    }

    /** Starts on a free loopback port, accepting {@code token}, appending events to {@code events}. */
    public static FakeHecReceiver start(String token, Path events) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
        FakeHecReceiver hec = new FakeHecReceiver(server, token, events);
        server.createContext("/services/collector/event", hec::handle);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        return hec;
    }

    /** The base URL, for the sink's {@code url}. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The file accepted events are appended to. */
    public Path events() {
        return events;
    }

    /** Whether to answer 503 "Server is busy" to every request from now on. */
    public void failing(boolean failing) {
        this.failing = failing;
    }

    /** How many events each accepted request carried. */
    public List<Integer> batchSizes() {
        return List.copyOf(batchSizes);
    }

    /** How many requests were refused with 503 while failing. */
    public int refused() {
        return refused.get();
    }

    /** The accepted events, parsed, in the order received. */
    public List<JsonNode> received() throws IOException {
        if (!Files.exists(events)) {
            return List.of();
        }
        List<JsonNode> nodes = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(events, StandardCharsets.UTF_8)) {
            nodes.add(JSON.readTree(line));
        }
        return nodes;
    }

    private synchronized void handle(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        if (!exchange.getRequestMethod().equals("POST")) {
            answer(exchange, 405, "{\"text\":\"Method not allowed\",\"code\":-1}");
            return;
        }
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        if (authorization == null || !authorization.startsWith("Splunk ")) {
            answer(exchange, 401, "{\"text\":\"Token is required\",\"code\":2}");
            return;
        }
        if (!authorization.substring("Splunk ".length()).equals(token)) {
            answer(exchange, 403, "{\"text\":\"Invalid token\",\"code\":4}");
            return;
        }
        if (failing) {
            refused.incrementAndGet();
            answer(exchange, 503, "{\"text\":\"Server is busy\",\"code\":9}");
            return;
        }
        StringBuilder lines = new StringBuilder();
        int count = 0;
        try (MappingIterator<JsonNode> parsed = JSON.readerFor(JsonNode.class).readValues(body)) {
            while (parsed.hasNextValue()) {
                JsonNode event = parsed.nextValue();
                if (!event.isObject() || !event.has("event")) {
                    answer(exchange, 400, "{\"text\":\"Event field is required\",\"code\":12}");
                    return;
                }
                lines.append(JSON.writeValueAsString(event)).append('\n');
                count++;
            }
        } catch (IOException | RuntimeException e) {
            answer(exchange, 400, "{\"text\":\"Invalid data format\",\"code\":6}");
            return;
        }
        if (count == 0) {
            answer(exchange, 400, "{\"text\":\"No data\",\"code\":5}");
            return;
        }
        Files.writeString(events, lines, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        batchSizes.add(count);
        answer(exchange, 200, "{\"text\":\"Success\",\"code\":0}");
    }

    private static void answer(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
