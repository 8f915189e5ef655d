package dev.veil.server.codec.openai;

import java.util.Map;
import java.util.Set;

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

    /** Whether {@code field} goes to this server; {@code x-veil-} extensions are Veil's own and never do. */
    boolean sends(String field) {
        return !droppedFields.contains(field) && !field.startsWith("x-veil-");
    }
}
