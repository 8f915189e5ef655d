package dev.veil.server.codec.openai;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import dev.veil.server.codec.UpstreamErrorEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The streaming chunk reader against the tree reading it replaces on the hot path: for every event, both must give
 * the same chunk, or the same failure. Real provider shapes must take the streaming path, or it would save nothing.
 */
class OpenAiChunkReaderTest {
    static Stream<String> providerChunks() {
        String head = "\"id\":\"chatcmpl-9x\",\"object\":\"chat.completion.chunk\",\"created\":1735689600,"
                + "\"model\":\"gpt-4o-mini-2024-07-18\"";
        return Stream.of(
                "{" + head + ",\"system_fingerprint\":\"fp_0ba0d124f1\",\"choices\":[{\"index\":0,\"delta\":"
                        + "{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null},\"logprobs\":null,"
                        + "\"finish_reason\":null}],\"obfuscation\":\"aB3\"}",
                "{" + head + ",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello \\u00e9\\ud83d\\ude00\\n\"},"
                        + "\"finish_reason\":null}]}",
                "{" + head + ",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":null}",
                "{" + head + ",\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":9,"
                        + "\"total_tokens\":21,\"prompt_tokens_details\":{\"cached_tokens\":0},"
                        + "\"completion_tokens_details\":{\"reasoning_tokens\":0}}}",
                "{" + head + ",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null,"
                        + "\"tool_calls\":[{\"index\":0,\"id\":\"call_abc\",\"type\":\"function\",\"function\":"
                        + "{\"name\":\"get_weather\",\"arguments\":\"\"}}]},\"finish_reason\":null}]}",
                "{" + head + ",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":"
                        + "{\"arguments\":\"{\\\"city\\\":\"}}]},\"finish_reason\":null}]}",
                "{" + head + ",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}",
                "{\"id\":\"d1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"deepseek-reasoner\","
                        + "\"choices\":[{\"index\":0,\"delta\":{\"content\":null,\"reasoning_content\":\"Let me\"},"
                        + "\"logprobs\":null,\"finish_reason\":null}],\"usage\":{\"prompt_tokens\":5,"
                        + "\"completion_tokens\":1,\"total_tokens\":6,\"prompt_cache_hit_tokens\":0,"
                        + "\"prompt_cache_miss_tokens\":5}}",
                "{\"id\":\"az\",\"object\":\"chat.completion.chunk\",\"created\":2,\"model\":\"gpt-4o\",\"choices\":"
                        + "[{\"index\":0,\"delta\":{\"content\":\"x\"},\"finish_reason\":null,"
                        + "\"content_filter_results\":{\"hate\":{\"filtered\":false,\"severity\":\"safe\"}}}],"
                        + "\"prompt_filter_results\":[{\"prompt_index\":0}]}",
                "{\"id\":\"g\",\"object\":\"chat.completion.chunk\",\"created\":3,\"model\":\"llama\",\"choices\":"
                        + "[{\"index\":0,\"delta\":{\"content\":\"y\"},\"logprobs\":{\"content\":[{\"token\":\"y\","
                        + "\"logprob\":-0.25,\"bytes\":[121]}]},\"finish_reason\":null}],"
                        + "\"x_groq\":{\"id\":\"req_01\",\"usage\":{\"queue_time\":0.0123}}}",
                "{\"id\":\"r\",\"created\":4,\"model\":\"m\",\"choices\":[{\"index\":1,\"delta\":{\"refusal\":"
                        + "\"I can't\"},\"finish_reason\":null},{\"index\":0,\"delta\":{\"content\":\"z\"}}]}");
    }

    @ParameterizedTest
    @MethodSource("providerChunks")
    void readsProviderChunksOnTheStreamingPathAsTheTreeWould(String chunk) throws Exception {
        byte[] data = chunk.getBytes(StandardCharsets.UTF_8);

        assertThat(OpenAiChunkReader.read(data)).contains(OpenAiResponses.chatChunkFromTree(data));
    }

    @ParameterizedTest
    @MethodSource("oddEvents")
    void readsOddEventsAsTheTreeWould(String event) {
        assertSameAsTree(event);
    }

    static Stream<String> oddEvents() {
        return Stream.of("", "[]", "42", "null", "{}", "{} {}", "{}x", "{\"id\":", "{\"choices\":{\"a\":{}}}",
                "{\"choices\":\"text\"}", "{\"choices\":[\"x\",1]}", "{\"choices\":[{\"index\":\"2\"}]}",
                "{\"choices\":[{\"index\":2.5,\"delta\":\"d\"}]}", "{\"choices\":[{\"delta\":{\"tool_calls\":{}}}]}",
                "{\"choices\":[{\"delta\":{\"tool_calls\":[{\"function\":null}]}}]}",
                "{\"choices\":[{\"delta\":{\"tool_calls\":[\"x\"]}}]}", "{\"id\":7,\"model\":null,\"created\":\"9\"}",
                "{\"created\":99999999999999999999999}", "{\"created\":1.5}",
                "{\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\",\"code\":529}}",
                "{\"error\":\"plain\"}", "{\"error\":{\"message\":\"m\"},\"choices\":[]}",
                "{\"id\":\"a\",\"id\":\"b\",\"x\":1,\"x\":[2],\"choices\":[{\"index\":0}],\"choices\":[]}",
                "{\"choices\":[{\"delta\":{\"content\":\"a\",\"content\":5,\"role\":\"tool\",\"name\":\"n\"}}]}",
                "{\"choices\":[{\"delta\":{\"tool_calls\":[{\"function\":{\"name\":\"a\"},\"function\":{}}]}}]}",
                "{\"usage\":[1],\"system_fingerprint\":{\"a\":1},\"choices\":null}");
    }

    /** Random events built from the fields providers send, with values of every JSON type in every place. */
    @Test
    void readsRandomEventsAsTheTreeWould() {
        Random random = new Random(20261126);
        int streamed = 0;
        for (int i = 0; i < 5_000; i++) {
            String event = object(random, 0, List.of("id", "object", "created", "model", "choices", "usage",
                    "system_fingerprint", "service_tier", "error"));
            assertSameAsTree(event);
            streamed += streamingReads(event) ? 1 : 0;
        }

        assertThat(streamed).as("events read on the streaming path").isGreaterThan(1_000);
    }

    private static boolean streamingReads(String event) {
        try {
            return OpenAiChunkReader.read(event.getBytes(StandardCharsets.UTF_8)).isPresent();
        } catch (IOException e) {
            return false;
        }
    }

    private static String object(Random random, int depth, List<String> names) {
        List<String> fields = new ArrayList<>();
        int count = random.nextInt(names.size() + 1);
        for (int i = 0; i < count; i++) {
            String name = names.get(random.nextInt(names.size()));
            fields.add("\"" + name + "\":" + value(random, depth, name));
        }
        return "{" + String.join(",", fields) + "}";
    }

    private static String value(Random random, int depth, String name) {
        int shape = random.nextInt(10);
        if (depth < 4 && shape < 6) {
            switch (name) {
                case "choices":
                    return array(random, depth, List.of("index", "delta", "finish_reason", "logprobs", "message"));
                case "delta":
                    return object(random, depth + 1, List.of("role", "content", "reasoning_content", "refusal",
                            "tool_calls", "name", "audio"));
                case "tool_calls":
                    return array(random, depth, List.of("index", "id", "type", "function"));
                case "function":
                    return object(random, depth + 1, List.of("name", "arguments", "strict"));
                case "usage":
                    return object(random, depth + 1, List.of("prompt_tokens", "completion_tokens", "total_tokens",
                            "prompt_tokens_details", "extra"));
                default:
                    break;
            }
        }
        return switch (random.nextInt(9)) {
            case 0 -> "null";
            case 1 -> Integer.toString(random.nextInt(5));
            case 2 -> Long.toString(random.nextLong());
            case 3 -> "1.5e3";
            case 4 -> random.nextBoolean() ? "true" : "false";
            case 5 -> "[1,\"two\",{\"three\":3.0}]";
            case 6 -> "{\"k\":\"v\",\"n\":null}";
            case 7 -> "\"stop\"";
            default -> "\"t\\u00e9xt " + random.nextInt(100) + "\"";
        };
    }

    private static String array(Random random, int depth, List<String> names) {
        List<String> items = new ArrayList<>();
        int count = random.nextInt(3);
        for (int i = 0; i < count; i++) {
            items.add(random.nextInt(8) == 0 ? "\"odd\"" : object(random, depth + 1, names));
        }
        return "[" + String.join(",", items) + "]";
    }

    private static void assertSameAsTree(String event) {
        byte[] data = event.getBytes(StandardCharsets.UTF_8);
        Object expected = outcome(() -> OpenAiResponses.chatChunkFromTree(data));
        Object actual = outcome(() -> OpenAiResponses.chatChunk(data));
        assertThat(actual).as(event).isEqualTo(expected);
    }

    private interface Read {
        Object get() throws Exception;
    }

    /** The chunk, or the failure's class, message and reported error, which the two readings must share. */
    private static Object outcome(Read read) {
        try {
            return read.get();
        } catch (UpstreamErrorEvent e) {
            return List.of(e.getClass(), e.error());
        } catch (Exception e) {
            return List.of(e.getClass(), String.valueOf(e.getMessage()));
        }
    }
}
