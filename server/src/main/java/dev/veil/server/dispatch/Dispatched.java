package dev.veil.server.dispatch;

import dev.veil.server.config.TargetRef;

/**
 * What a candidate answered, and which one it was.
 *
 * @param result the answer
 * @param target the provider model that answered
 * @param attempts how many candidates were tried, this one included
 */
public record Dispatched<T>(T result, TargetRef target, int attempts) {
}
