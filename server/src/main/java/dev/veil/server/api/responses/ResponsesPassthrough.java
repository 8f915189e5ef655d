package dev.veil.server.api.responses;

import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.server.codec.MalformedUpstreamException;
import dev.veil.server.codec.translation.WireJson;
import dev.veil.server.config.ProviderKind;
import dev.veil.server.config.TargetRef;
import dev.veil.server.core.ServerExchange;
import dev.veil.server.http.SseFrames;
import dev.veil.server.pipeline.Gateway;
import dev.veil.server.pipeline.Passthrough;
import dev.veil.server.pipeline.Pipeline;
import dev.veil.server.providers.openai.OpenAiAdapter;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.VeilException;

/**
 * The Responses passthrough: a {@code /v1/responses} request whose every target is an OpenAI provider goes to OpenAI's
 * Responses API as the client's own bytes (only {@code model} rewritten, when an alias resolved it), and the answer
 * comes back as OpenAI's own bytes, so built-in tools and fields Veil does not know work unchanged. When it applies is
 * {@link Passthrough}'s rule; besides, a request that continues a conversation Veil keeps is never relayed, since its
 * history lives in Veil, not in the body.
 */
final class ResponsesPassthrough {
    private ResponsesPassthrough() {
    }

    /** The passthrough of {@code admitted}, when it may apply. */
    static Optional<Passthrough> of(Gateway gateway, byte[] body, ChatRequest parsed, Pipeline.Admitted admitted,
                                    ServerExchange exchange) {
        return Passthrough.of(gateway, parsed, admitted, exchange, target -> servesResponses(gateway, target),
                (adapter, target) -> ((OpenAiAdapter) adapter).relayResponse(body, target.model()),
                (adapter, target) -> ((OpenAiAdapter) adapter).relayResponseStream(body, target.model()));
    }

    private static boolean servesResponses(Gateway gateway, TargetRef target) {
        return gateway.providers().get(target.provider()).filter(provider ->
                provider.config().kind() == ProviderKind.OPENAI
                        && provider.adapter() instanceof OpenAiAdapter openAi && openAi.servesResponses()).isPresent();
    }


    /** The response the relayed stream's held-back last event carries, to keep. */
    static ObjectNode completed(Passthrough passthrough) {
        byte[] last = passthrough.lastEvent().orElseThrow(() -> new IllegalStateException("the stream ended "
                + "without its last event"));
        byte[] data = SseFrames.parse(last).orElseThrow().data();
        JsonNode completed = object(data, "a stream event").path("response");
        if (!completed.isObject()) {
            throw new VeilException(ErrorKind.UPSTREAM, "OpenAI's last stream event carried no response");
        }
        return (ObjectNode) completed;
    }

    private static ObjectNode object(byte[] json, String what) {
        try {
            JsonNode node = WireJson.parse(json, what);
            if (!node.isObject()) {
                throw new VeilException(ErrorKind.UPSTREAM, "OpenAI's answer is not a JSON object");
            }
            return (ObjectNode) node;
        } catch (MalformedUpstreamException e) {
            // Read once already, by the adapter: the same bytes cannot fail now.
            throw new IllegalStateException("a relayed answer could not be read again", e);
        }
    }
}
