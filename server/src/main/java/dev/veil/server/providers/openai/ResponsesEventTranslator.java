package dev.veil.server.providers.openai;

import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.server.codec.MalformedUpstreamException;
import dev.veil.server.codec.UpstreamError;
import dev.veil.server.codec.UpstreamErrorEvent;
import dev.veil.server.codec.responses.ResponsesAnswers;
import dev.veil.server.codec.translation.WireJson;
import dev.veil.server.http.RelayStream;
import dev.veil.server.http.SseReader;
import dev.veil.spi.ChatChunk;

/**
 * Reads OpenAI's Responses streaming events into canonical chunks for a relayed stream: {@code response.completed}
 * or {@code response.incomplete} end it (with the usage); {@code response.failed} and {@code error} are failures,
 * relayed to the client as they came.
 */
final class ResponsesEventTranslator implements RelayStream.Translator {
    private boolean ended;

    @Override
    public Optional<ChatChunk> translate(SseReader.Event event) throws MalformedUpstreamException,
            UpstreamErrorEvent {
        JsonNode data = WireJson.parse(event.data(), "a Responses stream event");
        String type = data.path("type").asText(event.name());
        switch (type) {
            // The live API nests the fields under error; its reference documents them flat.
            case "error" -> throw new UpstreamErrorEvent(error(data.path("error").isObject() ? data.path("error")
                    : data));
            case "response.failed" -> throw new UpstreamErrorEvent(error(data.path("response").path("error")));
            case "response.completed", "response.incomplete" -> ended = true;
            default -> {
            }
        }
        return ResponsesAnswers.event(data);
    }

    private static UpstreamError error(JsonNode error) {
        return new UpstreamError(error.path("message").asText("the provider failed mid-stream"), Optional.empty(),
                WireJson.string(error, "code"), WireJson.string(error, "param"));
    }

    @Override
    public boolean ended() {
        return ended;
    }

    @Override
    public String endEvent() {
        return "response.completed";
    }
}
