package dev.veil.server.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A fake upstream that speaks OpenAI's documented wire format over a real socket: {@code chat.completion} JSON,
 * {@code chat.completion.chunk} server-sent events ending in {@code data: [DONE]}, and OpenAI error bodies. It is
 * written on raw sockets so that it can also misbehave the way real networks do: hang, answer slowly, reset a
 * connection mid-stream, or end a stream without {@code [DONE]}.
 *
 * <p>{@code POST /v1/responses} is answered in the Responses API's format by the same behaviours: a {@code response}
 * object whose {@code output} holds a {@code message} with {@code output_text} or a {@code function_call}, or, when
 * the request streams, named events ({@code event: response.created} ... {@code response.output_text.delta} ...
 * {@code response.completed}), each with its {@code sequence_number}, and no {@code [DONE]}. Echoing behaviours echo
 * the last user message of the request's {@code input}.
 *
 * <p>Behaviour is chosen by the model name a request asks for ({@link #on}); unknown models get {@link #echo()}.
 */
public final class FakeOpenAiUpstream implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How to answer one request. */
    @FunctionalInterface
    public interface Behavior {
        void respond(Exchange exchange) throws IOException;
    }

    /** A request as the fake received it; {@code bodyText} is its body's bytes as they came, read as UTF-8. */
    public record Received(String method, String path, Map<String, String> headers, JsonNode body, String bodyText) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private final ServerSocket server;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<String, Behavior> behaviors = new ConcurrentHashMap<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger streamsAbortedByClient = new AtomicInteger();
    private volatile CountDownLatch streamAborted = new CountDownLatch(1);

    public FakeOpenAiUpstream() throws IOException {
        server = new ServerSocket(0, 512, InetAddress.getLoopbackAddress());
        threads.submit(this::accept);
    }

    /** The base URL to configure, ending in {@code /v1}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getLocalPort() + "/v1";
    }

    /** Answers requests for {@code model} with {@code behavior}. */
    public FakeOpenAiUpstream on(String model, Behavior behavior) {
        behaviors.put(model, behavior);
        return this;
    }

    public List<Received> received() {
        return List.copyOf(received);
    }

    public Received lastReceived() {
        return received.get(received.size() - 1);
    }

    /** How many TCP connections clients opened: fewer than requests means connections were reused. */
    public int connections() {
        return connections.get();
    }

    public int streamsAbortedByClient() {
        return streamsAbortedByClient.get();
    }

    /** Waits until a client closed a stream before the fake finished sending it. */
    public boolean awaitStreamAborted(Duration timeout) throws InterruptedException {
        return streamAborted.await(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    // Behaviours ------------------------------------------------------------------------------------------------

    /**
     * Answers a chat completion with its first user message, as JSON or as a stream of word pieces: in a replayed
     * conversation, the turn that opened it.
     */
    public static Behavior echoFirst() {
        return exchange -> {
            String text = "";
            for (JsonNode message : exchange.body().path("messages")) {
                if ("user".equals(message.path("role").asText())) {
                    JsonNode content = message.path("content");
                    text = content.isTextual() ? content.textValue() : content.path(0).path("text").asText("");
                    break;
                }
            }
            if (exchange.wantsStream()) {
                exchange.stream(pieces(text), Duration.ZERO);
            } else {
                exchange.json(200, exchange.completion(text));
            }
        };
    }

    /** Answers with the last user message, as JSON or as a stream of word pieces. */
    public static Behavior echo() {
        return exchange -> {
            String text = exchange.lastUserText();
            if (exchange.wantsStream()) {
                exchange.stream(pieces(text), Duration.ZERO);
            } else {
                exchange.json(200, exchange.completion(text));
            }
        };
    }

    /**
     * Answers with the request it got, its JSON as the answer's text (streamed in word pieces when asked): whatever
     * of the request a model could repeat comes back, placeholders included.
     */
    public static Behavior echoRequest() {
        return exchange -> {
            String text = exchange.body().toString();
            if (exchange.wantsStream()) {
                exchange.stream(pieces(text), Duration.ZERO);
            } else {
                exchange.json(200, exchange.completion(text));
            }
        };
    }

    /** Answers with {@code text}, streamed in {@code pieces} when asked. */
    public static Behavior answer(List<String> pieces, Duration pause) {
        return exchange -> {
            if (exchange.wantsStream()) {
                exchange.stream(pieces, pause);
            } else {
                exchange.json(200, exchange.completion(String.join("", pieces)));
            }
        };
    }

    /**
     * Answers with {@code pieces} and stops as a model does at its output token limit: a Responses answer is
     * {@code incomplete} with {@code incomplete_details.reason} {@code max_output_tokens} (streamed, it ends with
     * {@code response.incomplete}); a chat answer finishes with {@code length}.
     */
    public static Behavior incomplete(List<String> pieces) {
        return exchange -> {
            if (exchange.wantsStream()) {
                exchange.startStream();
                exchange.streamPieces(pieces, Duration.ZERO);
                exchange.finishStream("length", String.join("", pieces));
            } else {
                exchange.json(200, exchange.truncatedCompletion(String.join("", pieces)));
            }
        };
    }

    /**
     * Behaves as {@code then}, reporting these token counts as its usage instead of estimates; {@code outputTokens}
     * includes {@code reasoningTokens}, as OpenAI counts them. Responses:
     * {@code input_tokens_details.cached_tokens} and {@code output_tokens_details.reasoning_tokens}; chat:
     * {@code prompt_tokens_details.cached_tokens} and {@code completion_tokens_details.reasoning_tokens}.
     */
    public static Behavior withUsage(int inputTokens, int cachedTokens, int outputTokens, int reasoningTokens,
                                     Behavior then) {
        return exchange -> {
            exchange.tokens = new int[] {inputTokens, cachedTokens, outputTokens, reasoningTokens};
            then.respond(exchange);
        };
    }

    /**
     * Behaves as {@code then}, with a {@code reasoning} output item before its answer on the Responses API: its
     * {@code summary} holds {@code summary} as one {@code summary_text} (streamed as
     * {@code response.reasoning_summary_text.delta} events), and it carries an opaque {@code encrypted_content} when
     * the request's {@code include} asks for {@code reasoning.encrypted_content}. Chat completions carry no reasoning:
     * there it is {@code then}.
     */
    public static Behavior reasoning(String summary, Behavior then) {
        return exchange -> {
            exchange.reasoningSummary = summary;
            then.respond(exchange);
        };
    }

    /**
     * Streams the first piece, then waits for {@code gate} before the rest: proves that a client sees events while
     * the upstream is still generating.
     */
    public static Behavior gated(String first, CountDownLatch gate, List<String> rest) {
        return exchange -> {
            exchange.startStream();
            exchange.streamPieces(List.of(first), Duration.ZERO);
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
            exchange.streamPieces(rest, Duration.ZERO);
            exchange.finishStream("stop", first + String.join("", rest));
        };
    }

    /** Calls a function: as a {@code tool_calls} message, or streamed with the arguments in fragments. */
    public static Behavior toolCall(String callId, String function, List<String> argumentFragments) {
        return exchange -> {
            if (exchange.wantsStream()) {
                exchange.streamToolCall(callId, function, argumentFragments);
            } else {
                exchange.json(200, exchange.toolCompletion(callId, function, String.join("", argumentFragments)));
            }
        };
    }

    /**
     * Calls {@code function} with {@code {"text": <the last user message>}} as arguments, streamed in fragments when
     * asked: proves what a client gets back in tool-call arguments.
     */
    public static Behavior echoAsToolCall(String function) {
        return exchange -> {
            String arguments = JSON.writeValueAsString(JSON.createObjectNode().put("text",
                    exchange.lastUserText()));
            toolCall("call_echo", function, pieces(arguments)).respond(exchange);
        };
    }

    /** Answers with exactly these bytes as a JSON completion, whatever was asked. */
    public static Behavior verbatim(String body) {
        return exchange -> exchange.respond(200, "application/json", body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    /** Streams exactly these frames, one chunk each, whatever was asked. */
    public static Behavior verbatimEvents(List<String> frames) {
        return exchange -> {
            exchange.startStreamHeaders();
            for (String frame : frames) {
                exchange.rawChunk(frame.getBytes(StandardCharsets.UTF_8));
            }
            exchange.endChunked();
        };
    }

    /** An OpenAI error body with the given status; a 429 carries {@code Retry-After: 7}. */
    public static Behavior error(int status, String type, String message, String code) {
        return error(status, type, message, code, status == 429 ? Map.of("Retry-After", "7") : Map.of());
    }

    /** A 429 rate-limit error asking to be left alone for {@code retryAfterSeconds}. */
    public static Behavior rateLimited(int retryAfterSeconds) {
        return error(429, "rate_limit_error", "Rate limit reached", "rate_limit_exceeded",
                Map.of("Retry-After", Integer.toString(retryAfterSeconds)));
    }

    /** A 529 "overloaded" error, as Anthropic and some OpenAI-compatible servers send when they are at capacity. */
    public static Behavior overloaded() {
        return error(529, "overloaded_error", "Overloaded", null, Map.of());
    }

    /**
     * OpenAI's 400 for a {@code previous_response_id} it does not hold (never stored, {@code store: false}, or
     * expired), naming the id the request carried.
     */
    public static Behavior previousResponseNotFound() {
        return exchange -> error(400, "invalid_request_error", "Previous response with id '"
                + exchange.body().path("previous_response_id").asText() + "' not found.", "previous_response_id",
                "previous_response_not_found", Map.of()).respond(exchange);
    }

    private static Behavior error(int status, String type, String message, String code,
                                  Map<String, String> headers) {
        return error(status, type, message, null, code, headers);
    }

    private static Behavior error(int status, String type, String message, String param, String code,
                                  Map<String, String> headers) {
        return exchange -> {
            ObjectNode body = JSON.createObjectNode();
            ObjectNode error = body.putObject("error");
            error.put("message", message);
            error.put("type", type);
            if (param == null) {
                error.putNull("param");
            } else {
                error.put("param", param);
            }
            if (code == null) {
                error.putNull("code");
            } else {
                error.put("code", code);
            }
            exchange.respond(status, "application/json", JSON.writeValueAsBytes(body), headers);
        };
    }

    /** Accepts the request and never answers: holds the connection until the client closes it. */
    public static Behavior hang() {
        return Exchange::awaitClientClose;
    }

    /** Waits, then behaves as {@code then}. */
    public static Behavior slow(Duration delay, Behavior then) {
        return exchange -> {
            exchange.sleep(delay);
            then.respond(exchange);
        };
    }

    /**
     * Waits whatever {@code delay} says at the time of the request, then behaves as {@code then}: a latency a test
     * can change while it runs.
     */
    public static Behavior delayed(Supplier<Duration> delay, Behavior then) {
        return exchange -> {
            exchange.sleep(delay.get());
            then.respond(exchange);
        };
    }

    /** Reads the request and resets the connection (TCP RST) without answering. */
    public static Behavior reset() {
        return Exchange::reset;
    }

    /** Sends the headers of a 200 event stream, then resets the connection before the first event. */
    public static Behavior resetBeforeFirstEvent() {
        return exchange -> {
            exchange.startStreamHeaders();
            exchange.reset();
        };
    }

    /** Streams {@code before} pieces, then resets the connection (TCP RST). */
    public static Behavior resetMidStream(List<String> before) {
        return exchange -> {
            exchange.startStream();
            exchange.streamPieces(before, Duration.ZERO);
            exchange.reset();
        };
    }

    /** Streams {@code before} pieces, then closes the connection cleanly without {@code [DONE]}. */
    public static Behavior truncateStream(List<String> before) {
        return exchange -> {
            exchange.startStream();
            exchange.streamPieces(before, Duration.ZERO);
            exchange.endChunked();
            exchange.close();
        };
    }

    /**
     * Streams {@code before} pieces, then an OpenAI error event, as OpenAI does when generation fails: on the
     * Responses API an {@code error} event with its fields nested under {@code error}, as the live API sends it
     * (openai/openai-dotnet#881; the reference documents them flat), which is what the SDKs raise on.
     */
    public static Behavior errorMidStream(List<String> before, String message) {
        return exchange -> {
            exchange.startStream();
            exchange.streamPieces(before, Duration.ZERO);
            if (exchange.responses) {
                ObjectNode event = JSON.createObjectNode().put("type", "error");
                event.putObject("error").put("type", "server_error").put("code", "server_error")
                        .put("message", message).putNull("param");
                exchange.responseEvent(event);
                exchange.endChunked();
                return;
            }
            ObjectNode body = JSON.createObjectNode();
            ObjectNode error = body.putObject("error");
            error.put("message", message);
            error.put("type", "server_error");
            exchange.event(JSON.writeValueAsString(body));
            exchange.endChunked();
        };
    }

    /**
     * Streams {@code before} pieces, then ends the stream as the Responses API does when generation fails: a
     * {@code response.failed} event whose response has status {@code failed} and {@code error} {@code server_error}
     * with {@code message}, and no {@code response.completed}. On chat completions it is {@link #errorMidStream}.
     */
    public static Behavior failedMidStream(List<String> before, String message) {
        return exchange -> {
            if (!exchange.responses) {
                errorMidStream(before, message).respond(exchange);
                return;
            }
            exchange.startStream();
            exchange.streamPieces(before, Duration.ZERO);
            ObjectNode failed = exchange.response("failed", JSON.createArrayNode(), null);
            failed.putObject("error").put("code", "server_error").put("message", message);
            exchange.responseEvent(JSON.createObjectNode().put("type", "response.failed").set("response", failed));
            exchange.endChunked();
        };
    }

    /** Sends a 200 with a body that is not JSON. */
    public static Behavior garbage() {
        return exchange -> exchange.respond(200, "application/json",
                "<html>upstream proxy error</html>".getBytes(StandardCharsets.UTF_8), Map.of());
    }

    // Serving ---------------------------------------------------------------------------------------------------

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                connections.incrementAndGet();
                sockets.add(socket);
                threads.submit(() -> serve(socket));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            while (true) {
                Exchange exchange = readRequest(in, out, socket);
                if (exchange == null) {
                    return;
                }
                received.add(exchange.received);
                String model = exchange.body().path("model").asText("");
                Behavior behavior = behaviors.getOrDefault(model, echo());
                if (exchange.received.path().endsWith("/models")) {
                    behavior = modelsList();
                }
                try {
                    behavior.respond(exchange);
                } catch (IOException e) {
                    if (exchange.streaming) {
                        streamsAbortedByClient.incrementAndGet();
                        streamAborted.countDown();
                    }
                    return;
                }
                if (exchange.closed) {
                    return;
                }
            }
        } catch (IOException e) {
            // The client went away; nothing to answer.
        } finally {
            sockets.remove(socket);
        }
    }

    private Behavior modelsList() {
        return exchange -> exchange.json(200, JSON.readTree(
                "{\"object\":\"list\",\"data\":[{\"id\":\"gpt-4o\",\"object\":\"model\",\"owned_by\":\"openai\"}]}"));
    }

    private Exchange readRequest(InputStream in, OutputStream out, Socket socket) throws IOException {
        String requestLine = line(in);
        if (requestLine == null || requestLine.isEmpty()) {
            return null;
        }
        String[] parts = requestLine.split(" ");
        Map<String, String> headers = new TreeMap<>();
        for (String header = line(in); header != null && !header.isEmpty(); header = line(in)) {
            int colon = header.indexOf(':');
            headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT), header.substring(colon + 1).trim());
        }
        byte[] body;
        if (headers.containsKey("content-length")) {
            body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            ByteArrayOutputStream chunks = new ByteArrayOutputStream();
            for (int size = Integer.parseInt(line(in).trim(), 16); size > 0;
                 size = Integer.parseInt(line(in).trim(), 16)) {
                chunks.write(in.readNBytes(size));
                line(in);
            }
            line(in);
            body = chunks.toByteArray();
        } else {
            body = new byte[0];
        }
        JsonNode json = body.length == 0 ? JSON.createObjectNode() : JSON.readTree(body);
        return new Exchange(new Received(parts[0], parts[1], Map.copyOf(headers), json,
                new String(body, StandardCharsets.UTF_8)), out, socket);
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != -1; b = in.read()) {
            if (b == '\n') {
                return line.toString(StandardCharsets.ISO_8859_1).stripTrailing();
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }

    /** Splits after each space so the pieces concatenate back to the text. */
    public static List<String> pieces(String text) {
        List<String> pieces = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == ' ') {
                pieces.add(text.substring(start, i + 1));
                start = i + 1;
            }
        }
        if (start < text.length()) {
            pieces.add(text.substring(start));
        }
        return pieces;
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket socket : sockets) {
            socket.close();
        }
        threads.shutdownNow();
    }

    /** One request being answered. */
    public static final class Exchange {
        private final Received received;
        private final OutputStream out;
        private final Socket socket;
        private boolean streaming;
        private boolean closed;
        private final String id = "chatcmpl-fake" + Long.toHexString(System.nanoTime());
        /** Whether this is a Responses API request ({@code POST /v1/responses}), answered in that API's format. */
        private final boolean responses;
        private final String responseId = "resp_fake" + Long.toHexString(System.nanoTime());
        private final String itemId = "msg_fake" + Long.toHexString(System.nanoTime());
        private final String callItemId = "fc_fake" + Long.toHexString(System.nanoTime());
        private final String reasoningItemId = "rs_fake" + Long.toHexString(System.nanoTime());
        private int sequenceNumber;
        /** Where the answer's item stands in {@code output}: after the reasoning item, when there is one. */
        private int outputIndex;
        /** The summary of a reasoning item to answer first ({@link #reasoning}); none when null. */
        private String reasoningSummary;
        /** Input, cached, output and reasoning tokens to report ({@link #withUsage}); estimated when null. */
        private int[] tokens;

        Exchange(Received received, OutputStream out, Socket socket) {
            this.received = received;
            this.out = out;
            this.socket = socket;
            this.responses = received.path().endsWith("/responses");
        }

        public JsonNode body() {
            return received.body();
        }

        /**
         * The text of the last user message: of {@code messages} on chat completions, of {@code input} (a string, or
         * the {@code input_text} parts of its last user message) on the Responses API.
         */
        public String lastUserText() {
            String text = "";
            if (responses) {
                JsonNode input = received.body().path("input");
                if (input.isTextual()) {
                    return input.textValue();
                }
                for (JsonNode item : input) {
                    if ("user".equals(item.path("role").asText()) && "message".equals(item.path("type")
                            .asText("message"))) {
                        text = inputText(item.path("content"));
                    }
                }
                return text;
            }
            for (JsonNode message : received.body().path("messages")) {
                if ("user".equals(message.path("role").asText())) {
                    JsonNode content = message.path("content");
                    text = content.isTextual() ? content.textValue() : content.path(0).path("text").asText("");
                }
            }
            return text;
        }

        private static String inputText(JsonNode content) {
            if (content.isTextual()) {
                return content.textValue();
            }
            StringBuilder text = new StringBuilder();
            for (JsonNode part : content) {
                if ("input_text".equals(part.path("type").asText())) {
                    text.append(part.path("text").asText(""));
                }
            }
            return text.toString();
        }

        public boolean wantsStream() {
            return received.body().path("stream").asBoolean(false);
        }

        private String model() {
            return received.body().path("model").asText("fake-model");
        }

        public void json(int status, JsonNode body) throws IOException {
            respond(status, "application/json", JSON.writeValueAsBytes(body), Map.of());
        }

        public void respond(int status, String contentType, byte[] body, Map<String, String> headers)
                throws IOException {
            StringBuilder head = new StringBuilder("HTTP/1.1 ").append(status).append(' ').append(reason(status))
                    .append("\r\nContent-Type: ").append(contentType)
                    .append("\r\nContent-Length: ").append(body.length)
                    .append("\r\nx-request-id: req_fake\r\n");
            headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
            out.write(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
        }

        ObjectNode completion(String text) {
            if (responses) {
                return response("completed", JSON.createArrayNode().add(message(text, "completed")), text);
            }
            ObjectNode body = envelope("chat.completion");
            ObjectNode choice = body.putArray("choices").addObject();
            choice.put("index", 0);
            ObjectNode message = choice.putObject("message");
            message.put("role", "assistant");
            message.put("content", text);
            message.putNull("refusal");
            choice.putNull("logprobs");
            choice.put("finish_reason", "stop");
            body.set("usage", usage(text));
            body.put("system_fingerprint", "fp_fake");
            body.put("service_tier", "default");
            return body;
        }

        /** An answer cut off at the output token limit. */
        ObjectNode truncatedCompletion(String text) {
            if (responses) {
                return response("incomplete", JSON.createArrayNode().add(message(text, "incomplete")), text);
            }
            ObjectNode body = completion(text);
            ((ObjectNode) body.get("choices").get(0)).put("finish_reason", "length");
            return body;
        }

        ObjectNode toolCompletion(String callId, String function, String arguments) {
            if (responses) {
                return response("completed", JSON.createArrayNode().add(functionCall(callId, function, arguments,
                        "completed")), arguments);
            }
            ObjectNode body = envelope("chat.completion");
            ObjectNode choice = body.putArray("choices").addObject();
            choice.put("index", 0);
            ObjectNode message = choice.putObject("message");
            message.put("role", "assistant");
            message.putNull("content");
            ObjectNode call = message.putArray("tool_calls").addObject();
            call.put("id", callId);
            call.put("type", "function");
            call.putObject("function").put("name", function).put("arguments", arguments);
            choice.put("finish_reason", "tool_calls");
            body.set("usage", usage(arguments));
            return body;
        }

        void stream(List<String> pieces, Duration pause) throws IOException {
            startStream();
            streamPieces(pieces, pause);
            finishStream("stop", String.join("", pieces));
        }

        void streamToolCall(String callId, String function, List<String> fragments) throws IOException {
            if (responses) {
                streamFunctionCall(callId, function, fragments);
                return;
            }
            startStream();
            ObjectNode first = chunk();
            ObjectNode delta = (ObjectNode) first.get("choices").get(0).get("delta");
            delta.put("role", "assistant");
            delta.putNull("content");
            ObjectNode call = delta.putArray("tool_calls").addObject();
            call.put("index", 0);
            call.put("id", callId);
            call.put("type", "function");
            call.putObject("function").put("name", function).put("arguments", "");
            event(JSON.writeValueAsString(first));
            for (String fragment : fragments) {
                ObjectNode next = chunk();
                ArrayNode calls = ((ObjectNode) next.get("choices").get(0).get("delta")).putArray("tool_calls");
                ObjectNode piece = calls.addObject();
                piece.put("index", 0);
                piece.putObject("function").put("arguments", fragment);
                event(JSON.writeValueAsString(next));
            }
            finishStream("tool_calls", String.join("", fragments));
        }

        void startStreamHeaders() throws IOException {
            streaming = true;
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n"
                    + "Transfer-Encoding: chunked\r\nCache-Control: no-cache\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        void startStream() throws IOException {
            if (responses) {
                startResponse();
                responseEvent(outputEvent("response.output_item.added", message("", "in_progress")));
                responseEvent(partEvent("response.content_part.added", ""));
                return;
            }
            startStreamHeaders();
            ObjectNode first = chunk();
            ObjectNode delta = (ObjectNode) first.get("choices").get(0).get("delta");
            delta.put("role", "assistant");
            delta.put("content", "");
            delta.putNull("refusal");
            event(JSON.writeValueAsString(first));
        }

        void streamPieces(List<String> pieces, Duration pause) throws IOException {
            for (String piece : pieces) {
                if (!pause.isZero()) {
                    sleep(pause);
                }
                if (responses) {
                    ObjectNode delta = textEvent("response.output_text.delta");
                    delta.put("delta", piece);
                    delta.putArray("logprobs");
                    responseEvent(delta);
                    continue;
                }
                ObjectNode chunk = chunk();
                ((ObjectNode) chunk.get("choices").get(0).get("delta")).put("content", piece);
                event(JSON.writeValueAsString(chunk));
            }
        }

        void finishStream(String finishReason, String generated) throws IOException {
            if (responses) {
                String status = "length".equals(finishReason) ? "incomplete" : "completed";
                ObjectNode done = textEvent("response.output_text.done");
                done.put("text", generated);
                done.putArray("logprobs");
                responseEvent(done);
                responseEvent(partEvent("response.content_part.done", generated));
                ObjectNode item = message(generated, status);
                responseEvent(outputEvent("response.output_item.done", item));
                finishResponse(status, item, generated);
                return;
            }
            ObjectNode last = chunk();
            ((ObjectNode) last.get("choices").get(0)).put("finish_reason", finishReason);
            event(JSON.writeValueAsString(last));
            if (received.body().path("stream_options").path("include_usage").asBoolean(false)) {
                ObjectNode usage = envelope("chat.completion.chunk");
                usage.putArray("choices");
                usage.set("usage", usage(generated));
                event(JSON.writeValueAsString(usage));
            }
            event("[DONE]");
            endChunked();
        }

        void event(String data) throws IOException {
            rawChunk(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        }

        void rawChunk(byte[] frame) throws IOException {
            out.write((Integer.toHexString(frame.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(frame);
            out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        void endChunked() throws IOException {
            out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        /** Closes the connection with a TCP RST instead of a clean FIN. */
        void reset() throws IOException {
            socket.setSoLinger(true, 0);
            socket.close();
            closed = true;
        }

        void close() throws IOException {
            socket.close();
            closed = true;
        }

        /** Reads and drops whatever the client still sends, until it closes the connection. */
        void awaitClientClose() throws IOException {
            InputStream in = socket.getInputStream();
            byte[] dropped = new byte[1024];
            while (in.read(dropped) >= 0) {
                // Nothing is answered.
            }
        }

        /** Takes {@code duration} of real time, as a slow upstream does: what a test measures is Veil's reaction. */
        void sleep(Duration duration) throws IOException {
            try {
                Thread.sleep(duration);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
        }

        private ObjectNode envelope(String object) {
            ObjectNode body = JSON.createObjectNode();
            body.put("id", id);
            body.put("object", object);
            body.put("created", 1_732_000_000L);
            body.put("model", model() + "-2024-08-06");
            return body;
        }

        private ObjectNode chunk() {
            ObjectNode chunk = envelope("chat.completion.chunk");
            chunk.put("system_fingerprint", "fp_fake");
            ObjectNode choice = chunk.putArray("choices").addObject();
            choice.put("index", 0);
            choice.putObject("delta");
            choice.putNull("logprobs");
            choice.putNull("finish_reason");
            return chunk;
        }

        private ObjectNode usage(String generated) {
            ObjectNode usage = JSON.createObjectNode();
            int prompt = 0;
            for (JsonNode message : received.body().path("messages")) {
                prompt += message.path("content").asText("").length() / 4 + 3;
            }
            int completion = Math.max(1, generated.length() / 4);
            int cached = 0;
            int reasoning = 0;
            if (tokens != null) {
                prompt = tokens[0];
                cached = tokens[1];
                completion = tokens[2];
                reasoning = tokens[3];
            }
            usage.put("prompt_tokens", prompt);
            usage.put("completion_tokens", completion);
            usage.put("total_tokens", prompt + completion);
            usage.putObject("prompt_tokens_details").put("cached_tokens", cached).put("audio_tokens", 0);
            usage.putObject("completion_tokens_details").put("reasoning_tokens", reasoning).put("audio_tokens", 0);
            return usage;
        }

        // The Responses API ------------------------------------------------------------------------------------

        /**
         * A {@code response} object: the request's settings echoed as OpenAI echoes them, {@code output}, and usage
         * when {@code generated} is not null (the answer's text, for the estimate).
         */
        ObjectNode response(String status, ArrayNode output, String generated) {
            JsonNode request = received.body();
            ObjectNode body = JSON.createObjectNode();
            body.put("id", responseId);
            body.put("object", "response");
            body.put("created_at", 1_732_000_000L);
            body.put("status", status);
            if ("completed".equals(status)) {
                body.put("completed_at", 1_732_000_001L);
            } else {
                body.putNull("completed_at");
            }
            body.putNull("error");
            if ("incomplete".equals(status)) {
                body.putObject("incomplete_details").put("reason", "max_output_tokens");
            } else {
                body.putNull("incomplete_details");
            }
            body.set("instructions", request.path("instructions").isMissingNode() ? JSON.nullNode()
                    : request.get("instructions"));
            body.set("max_output_tokens", request.path("max_output_tokens").isMissingNode() ? JSON.nullNode()
                    : request.get("max_output_tokens"));
            body.put("model", model() + "-2024-08-06");
            if (reasoningSummary != null && !output.isEmpty()) {
                output.insert(0, reasoningItem(reasoningSummary));
            }
            body.set("output", output);
            body.put("parallel_tool_calls", request.path("parallel_tool_calls").asBoolean(true));
            body.set("previous_response_id", request.path("previous_response_id").isMissingNode()
                    ? JSON.nullNode() : request.get("previous_response_id"));
            ObjectNode reasoning = body.putObject("reasoning");
            reasoning.set("effort", request.path("reasoning").path("effort").isMissingNode() ? JSON.nullNode()
                    : request.path("reasoning").get("effort"));
            reasoning.putNull("summary");
            body.put("service_tier", "default");
            body.put("store", request.path("store").asBoolean(true));
            body.put("temperature", request.path("temperature").asDouble(1.0));
            body.set("text", request.has("text") ? request.get("text")
                    : JSON.createObjectNode().set("format", JSON.createObjectNode().put("type", "text")));
            body.set("tool_choice", request.has("tool_choice") ? request.get("tool_choice")
                    : JSON.getNodeFactory().textNode("auto"));
            body.set("tools", request.has("tools") ? request.get("tools") : JSON.createArrayNode());
            body.put("top_p", request.path("top_p").asDouble(1.0));
            body.put("truncation", request.path("truncation").asText("disabled"));
            body.set("usage", generated == null ? JSON.nullNode() : responseUsage(generated));
            body.putNull("user");
            body.set("metadata", request.has("metadata") ? request.get("metadata") : JSON.createObjectNode());
            return body;
        }

        private ObjectNode message(String text, String status) {
            ObjectNode message = JSON.createObjectNode();
            message.put("id", itemId);
            message.put("type", "message");
            message.put("status", status);
            message.put("role", "assistant");
            ArrayNode content = message.putArray("content");
            if (!"in_progress".equals(status)) {
                content.add(outputText(text));
            }
            return message;
        }

        private static ObjectNode outputText(String text) {
            ObjectNode part = JSON.createObjectNode();
            part.put("type", "output_text");
            part.put("text", text);
            part.putArray("annotations");
            part.putArray("logprobs");
            return part;
        }

        private ObjectNode functionCall(String callId, String function, String arguments, String status) {
            ObjectNode call = JSON.createObjectNode();
            call.put("id", callItemId);
            call.put("type", "function_call");
            call.put("status", status);
            call.put("arguments", arguments);
            call.put("call_id", callId);
            call.put("name", function);
            return call;
        }

        private ObjectNode reasoningItem(String summary) {
            ObjectNode item = JSON.createObjectNode();
            item.put("id", reasoningItemId);
            item.put("type", "reasoning");
            ArrayNode parts = item.putArray("summary");
            if (!summary.isEmpty()) {
                parts.addObject().put("type", "summary_text").put("text", summary);
            }
            for (JsonNode included : received.body().path("include")) {
                if ("reasoning.encrypted_content".equals(included.asText())) {
                    item.put("encrypted_content", "gAAAAfake" + Integer.toHexString(summary.hashCode()));
                }
            }
            return item;
        }

        private ObjectNode responseUsage(String generated) {
            int input = received.body().path("instructions").asText("").length() / 4;
            JsonNode items = received.body().path("input");
            if (items.isTextual()) {
                input += items.textValue().length() / 4 + 3;
            }
            for (JsonNode item : items) {
                input += item.path("content").toString().length() / 4 + 3;
            }
            int output = Math.max(1, generated.length() / 4);
            int cached = 0;
            int reasoning = 0;
            if (tokens != null) {
                input = tokens[0];
                cached = tokens[1];
                output = tokens[2];
                reasoning = tokens[3];
            }
            ObjectNode usage = JSON.createObjectNode();
            usage.put("input_tokens", input);
            usage.putObject("input_tokens_details").put("cached_tokens", cached).put("cache_write_tokens", 0);
            usage.put("output_tokens", output);
            usage.putObject("output_tokens_details").put("reasoning_tokens", reasoning);
            usage.put("total_tokens", input + output);
            return usage;
        }

        /** The stream's headers, {@code response.created} and {@code response.in_progress}. */
        private void startResponse() throws IOException {
            startStreamHeaders();
            ObjectNode inProgress = response("in_progress", JSON.createArrayNode(), null);
            responseEvent(JSON.createObjectNode().put("type", "response.created").set("response", inProgress));
            responseEvent(JSON.createObjectNode().put("type", "response.in_progress").set("response", inProgress));
            if (reasoningSummary != null) {
                streamReasoning(reasoningSummary);
                outputIndex = 1;
            }
        }

        private void streamReasoning(String summary) throws IOException {
            ObjectNode added = reasoningItem("");
            responseEvent(outputEvent("response.output_item.added", added));
            responseEvent(summaryEvent("response.reasoning_summary_part.added").set("part",
                    JSON.createObjectNode().put("type", "summary_text").put("text", "")));
            for (String piece : pieces(summary)) {
                responseEvent(summaryEvent("response.reasoning_summary_text.delta").put("delta", piece));
            }
            responseEvent(summaryEvent("response.reasoning_summary_text.done").put("text", summary));
            responseEvent(summaryEvent("response.reasoning_summary_part.done").set("part",
                    JSON.createObjectNode().put("type", "summary_text").put("text", summary)));
            responseEvent(outputEvent("response.output_item.done", reasoningItem(summary)));
        }

        private ObjectNode summaryEvent(String type) {
            return JSON.createObjectNode().put("type", type).put("item_id", reasoningItemId).put("output_index", 0)
                    .put("summary_index", 0);
        }

        /** {@code response.completed}, or {@code response.incomplete}, with the whole response; then the end. */
        private void finishResponse(String status, ObjectNode item, String generated) throws IOException {
            ObjectNode last = response(status, JSON.createArrayNode().add(item), generated);
            responseEvent(JSON.createObjectNode().put("type", "response." + status).set("response", last));
            endChunked();
        }

        private void streamFunctionCall(String callId, String function, List<String> fragments) throws IOException {
            startResponse();
            responseEvent(outputEvent("response.output_item.added", functionCall(callId, function, "",
                    "in_progress")));
            for (String fragment : fragments) {
                ObjectNode delta = JSON.createObjectNode().put("type", "response.function_call_arguments.delta")
                        .put("item_id", callItemId).put("output_index", outputIndex).put("delta", fragment);
                responseEvent(delta);
            }
            String arguments = String.join("", fragments);
            responseEvent(JSON.createObjectNode().put("type", "response.function_call_arguments.done")
                    .put("item_id", callItemId).put("output_index", outputIndex).put("arguments", arguments));
            ObjectNode item = functionCall(callId, function, arguments, "completed");
            responseEvent(outputEvent("response.output_item.done", item));
            finishResponse("completed", item, arguments);
        }

        private ObjectNode outputEvent(String type, ObjectNode item) {
            int index = "reasoning".equals(item.path("type").asText()) ? 0 : outputIndex;
            ObjectNode event = JSON.createObjectNode().put("type", type).put("output_index", index);
            event.set("item", item);
            return event;
        }

        private ObjectNode partEvent(String type, String text) {
            ObjectNode event = JSON.createObjectNode().put("type", type).put("item_id", itemId)
                    .put("output_index", outputIndex).put("content_index", 0);
            event.set("part", outputText(text));
            return event;
        }

        private ObjectNode textEvent(String type) {
            return JSON.createObjectNode().put("type", type).put("item_id", itemId).put("output_index", outputIndex)
                    .put("content_index", 0);
        }

        /** One named event of a Responses stream, numbered in the order sent. */
        void responseEvent(ObjectNode event) throws IOException {
            event.put("sequence_number", sequenceNumber++);
            byte[] frame = ("event: " + event.path("type").asText() + "\ndata: " + JSON.writeValueAsString(event)
                    + "\n\n").getBytes(StandardCharsets.UTF_8);
            out.write((Integer.toHexString(frame.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(frame);
            out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        private static String reason(int status) {
            return switch (status) {
                case 200 -> "OK";
                case 400 -> "Bad Request";
                case 401 -> "Unauthorized";
                case 404 -> "Not Found";
                case 429 -> "Too Many Requests";
                case 500 -> "Internal Server Error";
                case 503 -> "Service Unavailable";
                case 529 -> "Site Overloaded";
                default -> "Status";
            };
        }
    }
}
