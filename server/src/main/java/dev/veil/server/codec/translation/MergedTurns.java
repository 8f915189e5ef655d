package dev.veil.server.codec.translation;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Builds a provider's list of turns from messages, merging consecutive messages of one role into one turn: the
 * Anthropic, Bedrock and Gemini APIs require roles to alternate, OpenAI's does not.
 */
public final class MergedTurns {
    private final ArrayNode turns;
    private final String partsField;
    private String lastRole;
    private ArrayNode lastParts;

    /**
     * @param turns the array the turns go into
     * @param partsField the name of a turn's parts array ({@code content} or {@code parts})
     */
    public MergedTurns(ArrayNode turns, String partsField) {
        this.turns = turns;
        this.partsField = partsField;
    }

    /** Adds a message's parts: to the last turn when it has the same role, else as a new turn. */
    public void add(String role, ArrayNode parts) {
        if (!role.equals(lastRole)) {
            ObjectNode turn = turns.addObject();
            turn.put("role", role);
            lastParts = turn.putArray(partsField);
            lastRole = role;
        }
        lastParts.addAll(parts);
    }
}
