package dev.veil.server.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Reads an Anthropic Messages event stream as a client sees it, and pulls out what tests assert on. */
public final class AnthropicEvents {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One server-sent event.
     *
     * @param name its {@code event:} name
     * @param data its parsed {@code data:}
     */
    public record Event(String name, JsonNode data) {
    }

    private AnthropicEvents() {
    }

    /** Every event of a stream, in order; a stream without events fails the test. */
    public static List<Event> read(InputStream body) throws IOException {
        List<Event> events = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String name = null;
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.startsWith("event: ")) {
                    name = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    events.add(new Event(name, JSON.readTree(line.substring(6))));
                }
            }
        }
        assertThat(events).isNotEmpty();
        return events;
    }

    public static List<String> names(List<Event> events) {
        return events.stream().map(Event::name).toList();
    }

    /** The concatenated {@code field} of every {@code content_block_delta} of {@code deltaType}. */
    public static String deltas(List<Event> events, String deltaType, String field) {
        StringBuilder text = new StringBuilder();
        for (Event event : events) {
            JsonNode delta = event.data().path("delta");
            if (event.name().equals("content_block_delta") && delta.path("type").asText().equals(deltaType)) {
                text.append(delta.path(field).asText());
            }
        }
        return text.toString();
    }

    /** The data of the one event named {@code name}; none or several fails the test. */
    public static JsonNode only(List<Event> events, String name) {
        List<JsonNode> matching = events.stream().filter(e -> name.equals(e.name())).map(Event::data).toList();
        assertThat(matching).hasSize(1);
        return matching.get(0);
    }
}
