package dev.veil.spi.testing;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import dev.veil.spi.plugin.AttributeKey;
import dev.veil.spi.plugin.Caller;
import dev.veil.spi.plugin.Exchange;

/**
 * A plain exchange for plugins' unit tests, shipped in the SPI's test jar so that each plugin module does not keep a
 * copy: a caller, whether the request streams, the client's metadata, and attributes in a map.
 */
public final class TestExchange implements Exchange {
    private final Map<AttributeKey<?>, Object> attributes = new HashMap<>();
    private final Caller caller;
    private final boolean streaming;
    private final Map<String, String> metadata;

    public TestExchange(Caller caller, boolean streaming, Map<String, String> metadata) {
        this.caller = caller;
        this.streaming = streaming;
        this.metadata = Map.copyOf(metadata);
    }

    /** Key {@code key}, tenant {@code tenant}, team {@code team}, no labels; not streaming, no metadata. */
    public TestExchange() {
        this(caller("key", "tenant", Map.of()), false, Map.of());
    }

    /** A caller with this key id and the default tenant. */
    public static TestExchange withKey(String keyId, boolean streaming) {
        return new TestExchange(caller(keyId, "tenant", Map.of()), streaming, Map.of());
    }

    /** A caller of this tenant. */
    public static TestExchange ofTenant(String tenant) {
        return new TestExchange(caller("key", tenant, Map.of()), false, Map.of());
    }

    /** A caller of tenant {@code acme} whose key carries these labels. */
    public static TestExchange labelled(Map<String, String> labels) {
        return new TestExchange(caller("key", "acme", labels), false, Map.of());
    }

    /** A caller of tenant {@code acme} whose request carries this metadata. */
    public static TestExchange withMetadata(Map<String, String> metadata) {
        return new TestExchange(caller("key", "acme", Map.of()), false, metadata);
    }

    private static Caller caller(String keyId, String tenant, Map<String, String> labels) {
        return Caller.of(keyId, tenant, "team").withLabels(labels);
    }

    @Override
    public String requestId() {
        return "req-test";
    }

    @Override
    public String surface() {
        return "openai.chat";
    }

    @Override
    public Caller caller() {
        return caller;
    }

    @Override
    public boolean streaming() {
        return streaming;
    }

    @Override
    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public <T> Optional<T> get(AttributeKey<T> key) {
        return Optional.ofNullable(key.type().cast(attributes.get(key)));
    }

    @Override
    public <T> void put(AttributeKey<T> key, T value) {
        attributes.put(key, key.type().cast(value));
    }
}
