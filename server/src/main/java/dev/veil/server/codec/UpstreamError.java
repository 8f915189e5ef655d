package dev.veil.server.codec;

import java.util.Optional;

/**
 * An error an upstream described in its body.
 *
 * @param message the upstream's message
 * @param type its error type
 * @param code its error code
 * @param param the parameter it blamed
 */
public record UpstreamError(String message, Optional<String> type, Optional<String> code, Optional<String> param) {
}
