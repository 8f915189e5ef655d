package dev.veil.spi.plugin;

import java.util.Map;
import java.util.Optional;

/**
 * One request and its answer as it passes through Veil: who sent it, on which API surface, and the attributes
 * plugins and Veil record along the way. What one plugin records (for example PII finding counts) is read by later
 * plugins, the policy input, the audit log and telemetry.
 *
 * <p>Attributes must never hold secrets; those that reach the audit log or telemetry must hold no personal data.
 */
public interface Exchange {

    /** Veil's id of this request, as in the {@code x-veil-request-id} header. */
    String requestId();

    /** The API surface: {@code openai.chat}, {@code openai.embeddings}, {@code anthropic.messages}, ... */
    String surface();

    /** Who sent the request. */
    Caller caller();

    /** Whether the client asked for a streamed answer. */
    boolean streaming();

    /** The client's {@code x-veil-metadata} key/value pairs (use case, data class, ...). */
    Map<String, String> metadata();

    /** The attribute's value, if one was recorded. */
    <T> Optional<T> get(AttributeKey<T> key);

    /**
     * Records an attribute, replacing any earlier value.
     *
     * @throws ClassCastException when {@code value} is not of the key's type
     */
    <T> void put(AttributeKey<T> key, T value);
}
