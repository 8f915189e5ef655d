package dev.veil.server.providers.openai;

import java.util.Optional;

import dev.veil.server.codec.MalformedUpstreamException;
import dev.veil.server.codec.UpstreamErrorEvent;
import dev.veil.server.codec.openai.OpenAiResponses;
import dev.veil.server.codec.openai.OpenAiWriter;
import dev.veil.server.http.RelayStream;
import dev.veil.server.http.SseFrames;
import dev.veil.server.http.SseReader;
import dev.veil.spi.ChatChunk;

/**
 * Reads OpenAI's {@code chat.completion.chunk} events into canonical chunks for a relayed stream, which
 * {@code [DONE]} ends. Veil always asks the upstream for usage; a client that did not ask gets the stream the
 * translated path would send it: without the usage event, and without usage on an event that also carries choices.
 */
final class ChatEventTranslator implements RelayStream.Translator {
    private final boolean clientWantsUsage;
    private boolean ended;
    private ChatChunk withUsage;

    ChatEventTranslator(boolean clientWantsUsage) {
        this.clientWantsUsage = clientWantsUsage;
    }

    @Override
    public Optional<ChatChunk> translate(SseReader.Event event) throws MalformedUpstreamException,
            UpstreamErrorEvent {
        withUsage = null;
        if (event.dataIs("[DONE]")) {
            ended = true;
            return Optional.empty();
        }
        ChatChunk chunk = OpenAiResponses.chatChunk(event.data());
        if (!clientWantsUsage && chunk.usage().isPresent()) {
            withUsage = chunk;
        }
        return Optional.of(chunk);
    }

    @Override
    public Optional<byte[]> relayed(byte[] frame) {
        if (withUsage == null) {
            return Optional.of(frame);
        }
        if (withUsage.choices().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(SseFrames.data(OpenAiWriter.chatChunk(withUsage.withoutUsage())));
    }

    @Override
    public boolean ended() {
        return ended;
    }

    @Override
    public String endEvent() {
        return "[DONE]";
    }
}
