package dev.veil.server.core;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import dev.veil.spi.plugin.AttributeKey;
import dev.veil.spi.plugin.Attributes;
import dev.veil.spi.plugin.Caller;
import dev.veil.spi.plugin.Exchange;

/** The server's exchange: fixed facts of the request plus a concurrent attribute map. */
public final class ServerExchange implements Exchange {
    private final String requestId;
    private final String surface;
    private final Caller caller;
    private final boolean streaming;
    private final Map<String, String> metadata;
    private final long startNanos;
    private final Map<AttributeKey<?>, Object> attributes = new ConcurrentHashMap<>();

    public ServerExchange(String requestId, String surface, Caller caller, boolean streaming,
                          Map<String, String> metadata, long startNanos) {
        this.requestId = requestId;
        this.surface = surface;
        this.caller = caller;
        this.streaming = streaming;
        this.metadata = Map.copyOf(metadata);
        this.startNanos = startNanos;
    }

    @Override
    public String requestId() {
        return requestId;
    }

    @Override
    public String surface() {
        return surface;
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
        return Optional.ofNullable(attributes.get(key)).map(key.type()::cast);
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException when {@code value} would turn zero retention off once it applies: whoever made
     *     the exchange zero-retention (the client, the tenant, the policy), no plugin or later phase may undo it
     */
    @Override
    public <T> void put(AttributeKey<T> key, T value) {
        T checked = key.type().cast(java.util.Objects.requireNonNull(value, "value"));
        if (key.equals(Attributes.ZERO_RETENTION) && Boolean.FALSE.equals(checked)
                && Boolean.TRUE.equals(attributes.get(Attributes.ZERO_RETENTION))) {
            throw new IllegalArgumentException("zero retention applies to this exchange and cannot be turned off");
        }
        attributes.put(key, checked);
    }

    /** When the request arrived, on the gateway's {@link Ticker}. */
    public long startNanos() {
        return startNanos;
    }
}
