package dev.veil.server.api.responses;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.server.codec.responses.ResponseIds;
import dev.veil.server.codec.responses.ResponsesCall;
import dev.veil.server.codec.responses.ResponsesRequests;
import dev.veil.server.codec.translation.WireJson;
import dev.veil.server.conversations.Conversations;
import dev.veil.server.conversations.StoredResponse;
import dev.veil.server.core.Clocks;
import dev.veil.server.core.SafeThrowables;
import dev.veil.server.core.ServerExchange;
import dev.veil.server.policy.ConversationRequest;
import dev.veil.server.policy.ConversationState;
import dev.veil.spi.ChatMessage;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.VeilException;
import dev.veil.spi.plugin.Attributes;
import dev.veil.spi.plugin.Exchange;
import dev.veil.spi.plugin.Pseudonyms;

/**
 * One turn of a conversation Veil keeps for a client: the turns it continues ({@code previous_response_id}), loaded
 * for the caller's tenant and replayed to the provider ahead of the new input, whatever the provider; the
 * conversation's pseudonyms, handed to the redaction plugin so that {@code <PERSON_1>} stands for the same person in
 * every turn; and, once answered, the turn itself, kept where the policy allows (see {@link ConversationState}).
 */
final class ConversationTurn {
    private static final Logger LOGGER = Logger.getLogger(ConversationTurn.class.getName());

    private final Conversations conversations;
    private final String tenant;
    private final ResponsesCall call;
    private final Clocks clocks;
    private final List<StoredResponse> chain;
    private final ArrayNode input;
    private final ChatRequest request;
    /** The kept turn's write to disk, once it is held; runs after the client has its answer. */
    private Runnable write = () -> { };

    private ConversationTurn(Conversations conversations, String tenant, ResponsesCall call, Clocks clocks,
                             List<StoredResponse> chain, ArrayNode input, ChatRequest request) {
        this.conversations = conversations;
        this.tenant = tenant;
        this.call = call;
        this.clocks = clocks;
        this.chain = chain;
        this.input = input;
        this.request = request;
    }

    /**
     * The turn {@code call} starts for {@code tenant}.
     *
     * @throws VeilException (404) when it continues a response this tenant does not have
     */
    static ConversationTurn start(Conversations conversations, String tenant, ResponsesCall call, Clocks clocks) {
        List<StoredResponse> chain = call.previousResponseId().map(id -> conversations.chain(tenant, id))
                .orElse(List.of());
        ChatRequest request = chain.isEmpty() ? call.request() : withHistory(call, history(chain));
        return new ConversationTurn(conversations, tenant, call, clocks, chain, identified(call.input()), request);
    }

    /** The earlier turns as messages: each turn's input items, then its output items, oldest turn first. */
    private static List<ChatMessage> history(List<StoredResponse> chain) {
        List<ChatMessage> messages = new ArrayList<>();
        for (StoredResponse turn : chain) {
            List<JsonNode> items = new ArrayList<>();
            read(turn.inputItems()).forEach(items::add);
            read(turn.response()).path("output").forEach(items::add);
            messages.addAll(ResponsesRequests.messages(items, "previous_response_id"));
        }
        return messages;
    }

    /**
     * The request with the history between the instructions (which belong to this request alone, as on OpenAI) and
     * the new input.
     */
    private static ChatRequest withHistory(ResponsesCall call, List<ChatMessage> history) {
        List<ChatMessage> current = call.request().messages();
        int at = call.instructions().isPresent() ? 1 : 0;
        List<ChatMessage> messages = new ArrayList<>(history.size() + current.size());
        messages.addAll(current.subList(0, at));
        messages.addAll(history);
        messages.addAll(current.subList(at, current.size()));
        return call.request().withMessages(messages);
    }

    /**
     * The input items with an id each, and a status where OpenAI lists one ({@code function_call_output} cannot be
     * read without it by the Java SDK), as {@code input_items} lists them.
     */
    private static ArrayNode identified(List<ObjectNode> items) {
        ArrayNode identified = WireJson.MAPPER.createArrayNode();
        for (ObjectNode item : items) {
            ObjectNode copy = item.deepCopy();
            if (!copy.path("id").isTextual()) {
                ObjectNode withId = WireJson.MAPPER.createObjectNode().put("id", ResponseIds.item(prefix(copy)));
                withId.setAll(copy);
                copy = withId;
            }
            if (!copy.has("status") && !"reasoning".equals(copy.path("type").asText())) {
                copy.put("status", "completed");
            }
            identified.add(copy);
        }
        return identified;
    }

    private static String prefix(JsonNode item) {
        return switch (item.path("type").asText("message")) {
            case "function_call" -> "fc";
            case "function_call_output" -> "fco";
            case "reasoning" -> "rs";
            default -> "msg";
        };
    }

    /** JSON Veil wrote and stored itself. */
    static JsonNode read(byte[] json) {
        try {
            return WireJson.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The request to answer: the conversation so far and the new input. */
    ChatRequest request() {
        return request;
    }

    /** Whether this turn continues a conversation Veil kept. */
    boolean continues() {
        return !chain.isEmpty();
    }

    /**
     * Tells the policy what the turn asks of Veil's state, and the redaction plugin the conversation's pseudonyms:
     * none yet on its first turn, which is what makes the plugin hand back the placeholders it gave, for the next.
     */
    void attach(ServerExchange exchange) {
        exchange.put(ConversationRequest.KEY, new ConversationRequest(call.store(), continues()));
        exchange.put(Attributes.CONVERSATION_PSEUDONYMS, continues() ? Pseudonyms.of(chain.getLast().pseudonyms())
                : Pseudonyms.NONE);
    }

    /**
     * Refuses a turn that needs state the policy does not let Veil keep.
     *
     * @throws VeilException (403) when the policy keeps nothing and the turn asks to be kept or continues one
     */
    void checkState(Exchange exchange) {
        if (state(exchange) == ConversationState.NONE && (call.store() || continues())) {
            throw new VeilException(ErrorKind.PERMISSION_DENIED, "Request denied by policy: Veil may keep no state "
                    + "for this conversation (conversation_state is none); send store: false, with the whole "
                    + "conversation as input instead of previous_response_id").withCode("policy_denied");
        }
    }

    private static ConversationState state(Exchange exchange) {
        return ConversationState.of(exchange.get(ConversationState.KEY),
                exchange.get(Attributes.ZERO_RETENTION).orElse(false));
    }

    /**
     * Keeps the answered turn, unless the client asked not to ({@code store: false}): in memory only under zero
     * retention or when the policy says so, else encrypted on disk — held in memory at once, so that the next turn
     * finds it, and written by {@link #write} once the client has its answer.
     *
     * @param id the response's id
     * @param response the Response as the client gets it, in JSON: read only when the turn is kept
     * @return the failure the client gets when a turn it asked Veil to keep could not be kept, since a next turn
     *         could not continue it
     */
    Optional<VeilException> keep(String id, Supplier<byte[]> response, Exchange exchange) {
        ConversationState state = state(exchange);
        if (!call.store() || state == ConversationState.NONE) {
            return Optional.empty();
        }
        try {
            byte[] kept = response.get();
            boolean memory = state == ConversationState.MEMORY;
            Instant now = clocks.wall().instant();
            Map<String, String> pseudonyms = exchange.get(Attributes.CONVERSATION_PSEUDONYMS)
                    .map(Pseudonyms::originals).orElse(Map.of());
            write = conversations.hold(new StoredResponse(id, tenant, call.previousResponseId(), now,
                    conversations.expiresAt(now, memory), call.request().model(), WireJson.bytes(input), kept,
                    pseudonyms, memory));
            return Optional.empty();
        } catch (VeilException e) {
            return Optional.of(e);
        } catch (RuntimeException e) {
            LOGGER.severe(() -> "a response could not be kept: " + SafeThrowables.describe(e));
            return Optional.of(new VeilException(ErrorKind.UNAVAILABLE, "Veil could not keep this response for "
                    + "previous_response_id; retry, or send store: false").withCode("state_unavailable"));
        }
    }

    /** Starts writing the kept turn to disk, when it goes there: after the client has its answer, off its wait. */
    void write() {
        Runnable pending = write;
        write = () -> { };
        pending.run();
    }
}
