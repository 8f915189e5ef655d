package dev.veil.server.auth;

import java.util.Map;

/**
 * Who sent a request.
 *
 * @param keyId the id of the key used (never the key itself)
 * @param tenant the tenant the key belongs to
 * @param team the team the key belongs to
 * @param labels the key's labels
 */
public record Principal(String keyId, String tenant, String team, Map<String, String> labels) {
    public Principal {
        labels = Map.copyOf(labels);
    }
}
