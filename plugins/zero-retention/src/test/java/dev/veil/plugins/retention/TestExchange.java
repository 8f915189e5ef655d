package dev.veil.plugins.retention;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import dev.veil.spi.plugin.AttributeKey;
import dev.veil.spi.plugin.Caller;
import dev.veil.spi.plugin.Exchange;

/** A plain exchange for unit tests: a caller and the client's metadata. */
final class TestExchange implements Exchange {
    private final Map<AttributeKey<?>, Object> attributes = new HashMap<>();
    private final Caller caller;
    private final Map<String, String> metadata;

    TestExchange(Caller caller, Map<String, String> metadata) {
        this.caller = caller;
        this.metadata = Map.copyOf(metadata);
    }

    static TestExchange of(String tenant) {
        return new TestExchange(new Caller("key", tenant, "team", Map.of()), Map.of());
    }

    static TestExchange labelled(Map<String, String> labels) {
        return new TestExchange(new Caller("key", "acme", "team", labels), Map.of());
    }

    static TestExchange withMetadata(Map<String, String> metadata) {
        return new TestExchange(new Caller("key", "acme", "team", Map.of()), metadata);
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
        return false;
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
