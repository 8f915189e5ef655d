package dev.veil.server.codec.responses;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.spi.ChatRequest;

/**
 * A {@code POST /v1/responses} request, read: the canonical request every provider can serve, and what only the
 * Responses surface needs (conversation state, storage, the parameters its answer repeats).
 *
 * <p>The JSON trees ({@code input}, {@code echo}) are the call's own; copy one before changing it.
 *
 * @param request the canonical request: {@code instructions} as a leading system message, then the {@code input}
 *                items as messages; function tools only
 * @param input the input items in normalized wire form, as {@code GET /v1/responses/{id}/input_items} lists them
 *              (a string input is one user message; string contents are content parts); no ids assigned
 * @param instructions the {@code instructions}, when given
 * @param previousResponseId the response this one continues, when given
 * @param store whether the response is to be stored ({@code true} unless the client said otherwise)
 * @param include the {@code include} values, as sent
 * @param truncation {@code auto} or {@code disabled}, when given
 * @param builtInTools the types of the requested tools that are not functions (OpenAI's hosted tools:
 *                     {@code web_search}, {@code file_search}, ...), including one a {@code tool_choice} names; a
 *                     provider without them must refuse the request
 * @param echo the request parameters a Response object repeats, OpenAI's defaults filled in
 */
public record ResponsesCall(
        ChatRequest request,
        List<ObjectNode> input,
        Optional<String> instructions,
        Optional<String> previousResponseId,
        boolean store,
        List<String> include,
        Optional<String> truncation,
        List<String> builtInTools,
        ObjectNode echo) {

    public ResponsesCall {
        Objects.requireNonNull(request, "request");
        input = List.copyOf(input);
        Objects.requireNonNull(instructions, "instructions");
        Objects.requireNonNull(previousResponseId, "previousResponseId");
        include = List.copyOf(include);
        Objects.requireNonNull(truncation, "truncation");
        builtInTools = List.copyOf(builtInTools);
        Objects.requireNonNull(echo, "echo");
    }
}
