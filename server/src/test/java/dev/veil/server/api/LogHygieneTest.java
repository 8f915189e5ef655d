package dev.veil.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.SseClient;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Drives every failure path with personal data and keys in play, and reads every log record Veil and Helidon made. */
class LogHygieneTest {
    private static final String EMAIL = "jane.doe@example.com";
    private static final String PROMPT = "My card is 4111 1111 1111 1111, email " + EMAIL;
    private static final String UPSTREAM_KEY = "sk-upstream-secret-1234";

    private final List<String> logged = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            StringWriter text = new StringWriter();
            text.append(String.valueOf(record.getMessage()));
            if (record.getParameters() != null) {
                for (Object parameter : record.getParameters()) {
                    text.append(' ').append(String.valueOf(parameter));
                }
            }
            if (record.getThrown() != null) {
                record.getThrown().printStackTrace(new PrintWriter(text));
            }
            logged.add(text.toString());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private Level previousLevel;
    private FakeOpenAiUpstream upstream;
    private VeilUnderTest veil;

    @BeforeEach
    void start() throws Exception {
        upstream = new FakeOpenAiUpstream();
        // A fail-open plugin that throws with the prompt in its exception message, on every request.
        veil = VeilUnderTest.start(VeilUnderTest.config(upstream, "")
                + "  plugins:\n    - {name: exploding, phase: request, fail-open: true}\n");
        // Only now: Helidon reads its logging configuration while starting, which resets every handler.
        Logger root = Logger.getLogger("");
        previousLevel = root.getLevel();
        root.setLevel(Level.ALL);
        Logger.getLogger("dev.veil").setLevel(Level.ALL);
        Logger.getLogger("io.helidon").setLevel(Level.ALL);
        root.addHandler(capture);
    }

    @AfterEach
    void stop() throws Exception {
        veil.close();
        upstream.close();
        Logger root = Logger.getLogger("");
        root.removeHandler(capture);
        root.setLevel(previousLevel);
        Logger.getLogger("dev.veil").setLevel(null);
        Logger.getLogger("io.helidon").setLevel(null);
    }

    private String chat(String model, boolean stream) {
        return "{\"model\":\"" + model + "\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":\""
                + PROMPT + "\"}]}";
    }

    @Test
    void logsNeitherPromptsNorPersonalDataNorKeysOnAnyFailurePath() throws Exception {
        upstream.on("auth", FakeOpenAiUpstream.error(401, "invalid_request_error",
                "Incorrect API key provided: " + UPSTREAM_KEY + " for " + EMAIL, "invalid_api_key"));
        upstream.on("boom", FakeOpenAiUpstream.error(500, "server_error", "failed on: " + PROMPT, null));
        upstream.on("reset", FakeOpenAiUpstream.resetMidStream(List.of(EMAIL + " ")));
        upstream.on("garbage", FakeOpenAiUpstream.garbage());

        veil.post("/v1/chat/completions", chat("openai/auth", false));
        veil.post("/v1/chat/completions", chat("openai/boom", false));
        veil.post("/v1/chat/completions", chat("openai/garbage", false));
        veil.post("/v1/chat/completions", chat("smart", false));
        try (SseClient stream = SseClient.post(veil, "/v1/chat/completions", chat("openai/reset", true))) {
            stream.rest();
        }
        veil.post("/v1/chat/completions", "{\"model\":\"smart\",\"messages\":[{\"role\":\"user\",\"content\":{\"x\":\""
                + EMAIL + "\"}}]}");
        veil.post("/v1/chat/completions", "{\"model\":\"smart\",\"messages\":[{\"role\":\"user\",\"content\":\""
                + EMAIL);
        veil.send(veil.request("/v1/chat/completions").setHeader("Authorization", "Bearer " + EMAIL)
                .POST(HttpRequest.BodyPublishers.ofString(chat("smart", false))).build());

        assertThat(logged).as("log records were captured").anyMatch(line -> line.contains("provider openai"));
        assertThat(logged).as("the plugin failure was logged").anyMatch(line -> line.contains("'exploding'"));
        assertThat(String.join("\n", logged))
                .doesNotContain(EMAIL)
                .doesNotContain("4111 1111")
                .doesNotContain(UPSTREAM_KEY)
                .doesNotContain(VeilUnderTest.MASTER_KEY);
    }
}
