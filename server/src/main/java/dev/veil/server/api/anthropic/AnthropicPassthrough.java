package dev.veil.server.api.anthropic;

import java.util.Optional;

import dev.veil.server.config.ProviderKind;
import dev.veil.server.config.TargetRef;
import dev.veil.server.core.ServerExchange;
import dev.veil.server.pipeline.Gateway;
import dev.veil.server.pipeline.Passthrough;
import dev.veil.server.pipeline.Pipeline;
import dev.veil.server.providers.anthropic.AnthropicAdapter;
import dev.veil.spi.ChatRequest;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;

/**
 * The Anthropic passthrough: a {@code /v1/messages} request whose every target is an Anthropic provider goes
 * upstream as the client's own bytes (only {@code model} rewritten, when an alias resolved it), with the client's
 * {@code anthropic-version} and {@code anthropic-beta}, and the answer comes back as the upstream's own bytes, so
 * that fields and event types Veil does not know yet work unchanged. When it applies is {@link Passthrough}'s rule.
 */
final class AnthropicPassthrough {
    private AnthropicPassthrough() {
    }

    /** The passthrough of {@code admitted}, when it may apply. */
    static Optional<Passthrough> of(Gateway gateway, byte[] body, AnthropicAdapter.ClientHeaders headers,
                                    ChatRequest parsed, Pipeline.Admitted admitted, ServerExchange exchange) {
        return Passthrough.of(gateway, parsed, admitted, exchange, target -> anthropic(gateway, target),
                (adapter, target) -> ((AnthropicAdapter) adapter).relay(body, target.model(), headers),
                (adapter, target) -> ((AnthropicAdapter) adapter).relayStream(body, target.model(), headers));
    }

    private static boolean anthropic(Gateway gateway, TargetRef target) {
        return gateway.providers().get(target.provider()).filter(provider ->
                provider.config().kind() == ProviderKind.ANTHROPIC
                        && provider.adapter() instanceof AnthropicAdapter).isPresent();
    }

    /** The client's Anthropic headers, which a passthrough body was written against. */
    static AnthropicAdapter.ClientHeaders clientHeaders(Headers request) {
        return new AnthropicAdapter.ClientHeaders(request.first(HeaderNames.create("anthropic-version")),
                request.first(HeaderNames.create("anthropic-beta")));
    }
}
