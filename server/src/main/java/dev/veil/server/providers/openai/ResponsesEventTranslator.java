package dev.veil.server.providers.openai;

import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.server.codec.MalformedUpstreamException;
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
        ended |= type.equals("response.completed") || type.equals("response.incomplete");
        return ResponsesAnswers.event(data);
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
