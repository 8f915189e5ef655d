package dev.veil.server.config;

import java.util.List;

/**
 * A public model name that maps to provider models, tried in order.
 *
 * @param name the name clients use
 * @param targets the provider models behind it, first preferred
 */
public record ModelAlias(String name, List<TargetRef> targets) {
    public ModelAlias {
        targets = List.copyOf(targets);
    }
}
