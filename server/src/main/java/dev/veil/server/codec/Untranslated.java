package dev.veil.server.codec;

import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What a client's body holds that a relay to a provider of the same wire family sends unchanged but the canonical
 * request does not carry (OpenAI's hosted tools, an item's annotations, a block's citations). It is kept as the
 * top-level extension {@link #EXTENSION}, a JSON array, so that plugins that read the request, such as redaction,
 * read it too: a plugin that changes it makes Veil translate the request, which leaves it out, instead of relaying
 * it. No adapter sends it: an {@code x-veil-} extension never reaches a provider.
 */
public final class Untranslated {
    /** The extension holding the untranslated parts of the body. */
    public static final String EXTENSION = "x-veil-untranslated";

    private Untranslated() {
    }

    /** A collector of untranslated parts. */
    public static ArrayNode collector() {
        return JsonNodeFactory.instance.arrayNode();
    }

    /** Adds the fields of {@code node} that are not in {@code read}, as one object, when there are any. */
    public static void leftovers(JsonNode node, Set<String> read, ArrayNode into) {
        if (!(node instanceof ObjectNode object)) {
            return;
        }
        ObjectNode rest = null;
        for (Map.Entry<String, JsonNode> field : object.properties()) {
            if (!read.contains(field.getKey())) {
                if (rest == null) {
                    rest = into.addObject();
                }
                rest.set(field.getKey(), field.getValue());
            }
        }
    }
}
