package dev.veil.server.api.openai;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

import dev.veil.server.codec.TopLevelFields;
import dev.veil.server.codec.openai.OpenAiDialect;
import dev.veil.server.config.TargetRef;
import dev.veil.server.core.ServerExchange;
import dev.veil.server.pipeline.Gateway;
import dev.veil.server.pipeline.Passthrough;
import dev.veil.server.pipeline.Pipeline;
import dev.veil.server.providers.openai.OpenAiAdapter;
import dev.veil.spi.ChatRequest;

/**
 * The OpenAI chat passthrough: a {@code /v1/chat/completions} request that every target's dialect leaves as written
 * ({@link OpenAiDialect#leavesAsWritten}: none of Veil's own {@code x-veil-} fields, nothing the server drops or
 * renames) goes upstream as the client's own bytes (only {@code model} rewritten, when an alias resolved it), and the
 * answer comes back as the upstream's own bytes, so relaying costs no translation and fields Veil does not know yet
 * work unchanged. When it applies is otherwise {@link Passthrough}'s rule. A stream must ask for usage, which
 * accounting needs: a body without {@code stream_options} is given {@code "include_usage": true} (the client still sees
 * no usage event unless it asked), one with {@code stream_options} that does not ask takes the translated path.
 */
final class ChatPassthrough {
    private static final byte[] ASK_USAGE = "\"stream_options\":{\"include_usage\":true},"
            .getBytes(StandardCharsets.US_ASCII);

    private ChatPassthrough() {
    }

    /** The passthrough of {@code admitted}, when it may apply. */
    static Optional<Passthrough> of(Gateway gateway, byte[] body, ChatRequest parsed, Pipeline.Admitted admitted,
                                    ServerExchange exchange) {
        boolean clientWantsUsage = parsed.wantsStreamUsage();
        byte[] sent;
        if (!parsed.stream() || clientWantsUsage) {
            sent = body;
        } else if (parsed.streamOptions().isEmpty()) {
            sent = askingUsage(body);
        } else {
            return Optional.empty();
        }
        return Passthrough.of(gateway, parsed, admitted, exchange, new Relays(gateway, parsed, body),
                (adapter, target) -> ((OpenAiAdapter) adapter).relayChat(sent, target.model()),
                (adapter, target) -> ((OpenAiAdapter) adapter).relayChatStream(sent, target.model(),
                        clientWantsUsage));
    }

    /** Whether a target may get the body as written; reads the body's top-level field names once, when first asked. */
    private static final class Relays implements Predicate<TargetRef> {
        private final Gateway gateway;
        private final ChatRequest parsed;
        private final byte[] body;
        private Set<String> fields;

        Relays(Gateway gateway, ChatRequest parsed, byte[] body) {
            this.gateway = gateway;
            this.parsed = parsed;
            this.body = body;
        }

        @Override
        public boolean test(TargetRef target) {
            return gateway.providers().get(target.provider()).filter(provider ->
                    provider.adapter() instanceof OpenAiAdapter openAi && openAi.relaysChat(parsed, fields()))
                    .isPresent();
        }

        private Set<String> fields() {
            if (fields == null) {
                fields = TopLevelFields.of(body);
            }
            return fields;
        }
    }

    /**
     * {@code body}, a JSON object the chat reader accepted without {@code stream_options}, with
     * {@code "stream_options": {"include_usage": true}} as its first member.
     */
    private static byte[] askingUsage(byte[] body) {
        int open = 0;
        while (body[open] != '{') {
            open++;
        }
        byte[] asked = new byte[body.length + ASK_USAGE.length];
        System.arraycopy(body, 0, asked, 0, open + 1);
        System.arraycopy(ASK_USAGE, 0, asked, open + 1, ASK_USAGE.length);
        System.arraycopy(body, open + 1, asked, open + 1 + ASK_USAGE.length, body.length - open - 1);
        return asked;
    }
}
