package dev.veil.server.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Chat completions sent at a constant rate, whatever the answers take (an open model: a slow answer does not slow the
 * next request), every other one streamed, each on a virtual thread of its own. Every answer is checked whole: a JSON
 * completion must carry the expected text, a stream must carry it in its chunks and end with {@code data: [DONE]}.
 * Nothing is retried: what the client sees is what a client without retries would see.
 */
public final class ConstantRateLoad {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One request's end: {@code failure} is empty when the whole expected answer arrived. */
    private record Outcome(boolean stream, long nanos, String failure) {
        boolean ok() {
            return failure.isEmpty();
        }
    }

    /**
     * What the load saw.
     *
     * @param failures     requests without a complete answer, by reason ({@code status 502}, an exception, ...)
     * @param truncated    streams that started (status 200) and did not end with the whole text and {@code [DONE]}
     * @param jsonMillis   the latency percentiles p50, p90, p99 and max of JSON completions, in ms
     * @param streamMillis the same for streams, to their last byte
     */
    public record Report(int sent, int completedJson, int completedStreams, int failed, int truncated,
                         Map<String, Integer> failures, double[] jsonMillis, double[] streamMillis) {
        @Override
        public String toString() {
            return ("%d requests: %d JSON and %d streams complete, %d failed, %d streams truncated %s; latency ms "
                    + "p50/p90/p99/max: JSON %s, streams %s").formatted(sent, completedJson, completedStreams, failed,
                    truncated, failures, percentiles(jsonMillis), percentiles(streamMillis));
        }

        private static String percentiles(double[] millis) {
            return "%.0f/%.0f/%.0f/%.0f".formatted(millis[0], millis[1], millis[2], millis[3]);
        }
    }

    // The connection is to the balancer, which is always up: a long timeout, so that a machine too busy to run the
    // client's selector thread in time does not count as a failed request.
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(20)).build();
    private final ExecutorService requests = Executors.newVirtualThreadPerTaskExecutor();
    private final Queue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    private final URI url;
    private final String key;
    private final String model;
    private final String expectedText;
    private final long intervalNanos;
    private final Thread pacer;
    private volatile boolean stopping;
    private int sent;

    private ConstantRateLoad(URI url, String key, String model, String expectedText, int perSecond) {
        this.url = url;
        this.key = key;
        this.model = model;
        this.expectedText = expectedText;
        this.intervalNanos = TimeUnit.SECONDS.toNanos(1) / perSecond;
        this.pacer = Thread.ofPlatform().name("load-pacer").unstarted(this::pace);
    }

    /**
     * Starts sending {@code perSecond} chat completions a second for {@code model} to {@code baseUrl} with
     * {@code key}; every answer must carry {@code expectedText}.
     */
    public static ConstantRateLoad start(String baseUrl, String key, String model, String expectedText,
                                         int perSecond) {
        ConstantRateLoad load = new ConstantRateLoad(URI.create(baseUrl + "/v1/chat/completions"), key, model,
                expectedText, perSecond);
        load.pacer.start();
        return load;
    }

    /** How many requests have ended so far. */
    public int ended() {
        return outcomes.size();
    }

    /** Stops sending, waits for every request sent to end, and reports. */
    public Report stop() throws InterruptedException {
        stopping = true;
        pacer.join();
        requests.close();
        List<Double> json = new ArrayList<>();
        List<Double> streams = new ArrayList<>();
        Map<String, Integer> failures = new TreeMap<>();
        int truncated = 0;
        for (Outcome outcome : outcomes) {
            if (outcome.ok()) {
                (outcome.stream() ? streams : json).add(outcome.nanos() / 1e6);
            } else if (outcome.failure().startsWith("truncated")) {
                truncated++;
            } else {
                failures.merge(outcome.failure(), 1, Integer::sum);
            }
        }
        int failed = failures.values().stream().mapToInt(Integer::intValue).sum();
        return new Report(sent, json.size(), streams.size(), failed, truncated, failures, percentiles(json),
                percentiles(streams));
    }

    private void pace() {
        long start = System.nanoTime();
        for (long i = 0; !stopping; i++) {
            long due = start + i * intervalNanos;
            for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                LockSupport.parkNanos(wait);
            }
            boolean stream = i % 2 == 1;
            sent++;
            requests.submit(() -> outcomes.add(send(stream)));
        }
    }

    private Outcome send(boolean stream) {
        HttpRequest request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("""
                        {"model":"%s","stream":%s,"messages":[{"role":"user","content":"hi"}]}"""
                        .formatted(model, stream))).build();
        long start = System.nanoTime();
        HttpResponse<InputStream> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            return new Outcome(stream, System.nanoTime() - start, e.getClass().getSimpleName() + ": "
                    + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(stream, System.nanoTime() - start, "interrupted");
        }
        String body;
        try (InputStream in = response.body()) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return new Outcome(stream, System.nanoTime() - start, (stream && response.statusCode() == 200
                    ? "truncated: " : "body cut: ") + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        long nanos = System.nanoTime() - start;
        if (response.statusCode() != 200) {
            return new Outcome(stream, nanos, "status " + response.statusCode());
        }
        return new Outcome(stream, nanos, stream ? checkStream(body) : checkCompletion(body));
    }

    private String checkCompletion(String body) {
        try {
            String text = JSON.readTree(body).path("choices").path(0).path("message").path("content").asText();
            return text.equals(expectedText) ? "" : "wrong completion: " + text;
        } catch (IOException e) {
            return "unreadable completion: " + e.getMessage();
        }
    }

    private String checkStream(String body) {
        StringBuilder text = new StringBuilder();
        String last = "";
        for (String line : body.split("\n")) {
            if (!line.startsWith("data: ")) {
                continue;
            }
            last = line.substring("data: ".length()).strip();
            if (last.equals("[DONE]")) {
                continue;
            }
            try {
                JsonNode chunk = JSON.readTree(last);
                text.append(chunk.path("choices").path(0).path("delta").path("content").asText(""));
            } catch (IOException e) {
                return "truncated: unreadable chunk";
            }
        }
        if (!last.equals("[DONE]")) {
            return "truncated: no [DONE]";
        }
        return text.toString().equals(expectedText) ? "" : "truncated: text " + text;
    }

    private static double[] percentiles(List<Double> millis) {
        if (millis.isEmpty()) {
            return new double[4];
        }
        double[] sorted = millis.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return new double[] {rank(sorted, 0.50), rank(sorted, 0.90), rank(sorted, 0.99), sorted[sorted.length - 1]};
    }

    private static double rank(double[] sorted, double quantile) {
        return sorted[Math.max(0, (int) Math.ceil(quantile * sorted.length) - 1)];
    }
}
