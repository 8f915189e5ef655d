package dev.veil.server.http;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import dev.veil.server.config.ProviderConfig;
import dev.veil.server.config.ProviderKind;
import dev.veil.server.core.UpstreamException;
import dev.veil.server.testing.FakeHttpServer;

/** What the connection tests share: one provider's {@link UpstreamHttp}, a POST read whole, and the fakes' answers. */
final class UpstreamFixture {
    static final byte[] ANSWER = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
    static final byte[] QUESTION = "{\"q\":1}".getBytes(StandardCharsets.UTF_8);

    private UpstreamFixture() {
    }

    /** An OpenAI-compatible provider's view of {@code client}, waiting {@code readTimeout} for answers. */
    static UpstreamHttp http(UpstreamClient client, Duration readTimeout) {
        ProviderConfig config = new ProviderConfig("fake", ProviderKind.OPENAI_COMPATIBLE, Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), false, List.of(), Map.of(), Optional.empty(),
                Map.of(), readTimeout, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty());
        return new UpstreamHttp(client, config, new UpstreamLimits(1 << 20, 64 * 1024));
    }

    /** POSTs {@link #QUESTION} to the server's chat completions path and returns the answer's body. */
    static byte[] post(UpstreamHttp http, FakeHttpServer server) throws UpstreamException {
        try (UpstreamResponse response = http.post(URI.create(server.origin() + "/v1/chat/completions"),
                List.of(), QUESTION, false)) {
            return http.body(response);
        }
    }

    /** Answers every request with {@link #ANSWER}, keeping the connection open. */
    static FakeHttpServer.Handler answering() {
        return exchange -> exchange.respond(200, "application/json", ANSWER, Map.of());
    }

    /**
     * Answers every request, and closes the connection after the first answer without having said so in it, like a
     * server whose keep-alive timeout ran out; counts {@code closed} down once it has.
     */
    static FakeHttpServer.Handler closingAfterFirstAnswer(CountDownLatch closed) {
        AtomicInteger answered = new AtomicInteger();
        return exchange -> {
            exchange.respond(200, "application/json", ANSWER, Map.of());
            if (answered.incrementAndGet() == 1) {
                exchange.close();
                closed.countDown();
            }
        };
    }
}
