package dev.veil.server.codec.openai;

import java.util.Map;
import java.util.Set;

import dev.veil.spi.ChatRequest;
import dev.veil.spi.Role;

/**
 * How one OpenAI-compatible server deviates from OpenAI's own request format.
 *
 * @param legacyMaxTokens send the output limit as {@code max_tokens}: the server does not know
 *                        {@code max_completion_tokens}
 * @param developerAsSystem send {@code developer} messages as {@code system}: the server does not know the role
 * @param streamUsageOption the server understands {@code stream_options.include_usage}; Veil always asks for usage
 *                          so that streams can be accounted for
 * @param droppedFields top-level fields the server rejects, never sent to it
 * @param renamedFields top-level fields the server knows under another name
 */
public record OpenAiDialect(
        boolean legacyMaxTokens,
        boolean developerAsSystem,
        boolean streamUsageOption,
        Set<String> droppedFields,
        Map<String, String> renamedFields) {

    /** OpenAI itself. */
    public static final OpenAiDialect OPENAI = new OpenAiDialect(false, false, true, Set.of(), Map.of());

    public OpenAiDialect {
        droppedFields = Set.copyOf(droppedFields);
        renamedFields = Map.copyOf(renamedFields);
    }

    String name(String field) {
        return renamedFields.getOrDefault(field, field);
    }

    /**
     * Whether a chat request may go to this server exactly as the client wrote it: none of this dialect's deviations
     * applies to it (no field it drops or renames among the body's top-level {@code fields}, no
     * {@code max_completion_tokens} for a server that knows only {@code max_tokens}, no {@code developer} message for
     * one that does not know the role), and a stream can ask the server for usage, which accounting needs. The
     * translated body would then differ from the client's in form only.
     */
    public boolean leavesAsWritten(ChatRequest request, Set<String> fields) {
        if (request.stream() && !streamUsageOption
                || legacyMaxTokens && fields.contains("max_completion_tokens")
                || developerAsSystem && request.messages().stream().anyMatch(m -> m.role() == Role.DEVELOPER)) {
            return false;
        }
        for (String field : fields) {
            if (!sends(field) || renamedFields.containsKey(field)) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code field} goes to this server; {@code x-veil-} extensions are Veil's own and never do. */
    boolean sends(String field) {
        return !droppedFields.contains(field) && !field.startsWith("x-veil-");
    }
}
