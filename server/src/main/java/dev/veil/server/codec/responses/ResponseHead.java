package dev.veil.server.codec.responses;

import java.util.Objects;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What a Response object says about itself apart from its output: written the same on every event of a stream.
 *
 * @param id the response id ({@link ResponseIds#response()})
 * @param createdAt creation time, seconds since the epoch
 * @param model the model as the Response names it
 * @param echo the request parameters the Response repeats ({@link ResponsesCall#echo()}); not modified
 */
public record ResponseHead(String id, long createdAt, String model, ObjectNode echo) {
    public ResponseHead {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(echo, "echo");
    }
}
