package dev.veil.server.config;

import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * A public model name that maps to provider models, tried in order.
 *
 * @param name the name clients use
 * @param targets the provider models behind it, first preferred
 */
public record ModelAlias(String name, List<TargetRef> targets) {
    private static final Set<String> KEYS = Set.of("targets");

    public ModelAlias {
        targets = List.copyOf(targets);
    }

    /** {@code veil.models.<name>}, whose targets must name configured providers. */
    static ModelAlias from(ConfigReader node, Collection<String> providers) {
        node.rejectUnknown(KEYS);
        List<ConfigReader> targets = node.items("targets", "must be a list, for example [a, b]");
        if (targets.isEmpty()) {
            throw node.invalid("targets", "missing or empty; list provider models, for example "
                    + "targets: [\"openai/gpt-4o\"]");
        }
        return new ModelAlias(node.name(), targets.stream()
                .map(target -> TargetRef.parse(target.key(), target.value().orElseThrow(), providers)).toList());
    }
}
