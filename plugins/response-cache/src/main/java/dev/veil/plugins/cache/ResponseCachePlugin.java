package dev.veil.plugins.cache;

import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.veil.spi.ChatChunk;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.ChatResponse;
import dev.veil.spi.Choice;
import dev.veil.spi.plugin.AttributeKey;
import dev.veil.spi.plugin.Attributes;
import dev.veil.spi.plugin.Exchange;
import dev.veil.spi.plugin.InterceptPhase;
import dev.veil.spi.plugin.ResponsePhase;
import dev.veil.spi.plugin.StreamPhase;
import dev.veil.spi.plugin.StreamSink;
import dev.veil.spi.plugin.StreamTransformer;

/**
 * Answers a request it has seen before from memory, without a provider. The intercept phase runs after the policy
 * decision, so a cached answer is only served to a request the policy allowed, and it sees the request as redaction
 * left it: with placeholders instead of personal data, so one answer serves every user of the same template, and the
 * cache never holds the personal data itself (provided pii-redaction comes earlier in the chain; see
 * {@code docs/plugins.md}).
 *
 * <p>Entries are keyed by tenant and the {@linkplain RequestDigest digest of the canonical request}. Only complete
 * answers, every choice with a finish reason, are stored — from the response phase, or assembled from a stream that
 * ended normally. What the cache did is recorded as {@link Attributes#CACHE_STATUS}.
 *
 * <p>With a {@linkplain SharedTier shared tier}, a lookup that memory misses asks the shared tier next, and a hit there
 * fills memory; a stored answer goes to both. Zero-retention exchanges never reach the shared tier, neither to read
 * nor to write: with {@code zero-retention: memory} they use memory alone, as the setting's name says.
 */
final class ResponseCachePlugin implements InterceptPhase, ResponsePhase, StreamPhase {
    static final String HIT = "hit";
    static final String MISS = "miss";
    static final String BYPASS = "bypass";

    /** A tenant's request; a hit needs both to match, so tenants never share answers. */
    record Key(String tenant, String digest) {
    }

    /**
     * An answer to store: its key, and whether the exchange is zero-retention, which keeps it out of the shared tier.
     */
    private record Pending(Key key, boolean zeroRetention) {
    }

    private final Cache<Key, ChatResponse> cache;
    private final boolean zeroRetentionMemory;
    private final Optional<SharedTier> shared;
    /** Where an answer to store waits for the answer; present only when the answer should be stored. */
    private final AttributeKey<Pending> pending;

    ResponseCachePlugin(CacheSettings settings, Optional<SharedTier> shared) {
        this(settings, shared, Ticker.systemTicker(), ForkJoinPool.commonPool());
    }

    /**
     * @param shared the shared tier, when configured; the plugin closes it
     * @param ticker the clock entries expire by
     * @param executor where Caffeine evicts and does its other maintenance, off the request's path
     */
    ResponseCachePlugin(CacheSettings settings, Optional<SharedTier> shared, Ticker ticker, Executor executor) {
        Caffeine<Object, Object> builder = Caffeine.newBuilder().expireAfterWrite(settings.ttl()).ticker(ticker)
                .executor(executor);
        if (settings.maxBytes().isPresent()) {
            builder.maximumWeight(settings.maxBytes().getAsLong())
                    .weigher((Key key, ChatResponse answer) -> AnswerWeight.of(answer));
        } else {
            builder.maximumSize(settings.maxEntries());
        }
        this.cache = builder.build();
        this.zeroRetentionMemory = settings.zeroRetentionMemory();
        this.shared = shared;
        this.pending = AttributeKey.of("response-cache.pending." + System.identityHashCode(this), Pending.class);
    }

    @Override
    public Optional<ChatResponse> intercept(ChatRequest request, Exchange exchange) {
        String control = exchange.get(Attributes.CACHE_CONTROL).orElse("").toLowerCase(Locale.ROOT);
        boolean zeroRetention = exchange.get(Attributes.ZERO_RETENTION).orElse(false);
        if (control.equals("no-store") || (zeroRetention && !zeroRetentionMemory)) {
            exchange.put(Attributes.CACHE_STATUS, BYPASS);
            return Optional.empty();
        }
        Optional<String> digest = RequestDigest.of(request);
        if (digest.isEmpty()) {
            exchange.put(Attributes.CACHE_STATUS, BYPASS);
            return Optional.empty();
        }
        Key key = new Key(exchange.caller().tenant(), digest.get());
        if (!control.equals("refresh")) {
            ChatResponse cached = cache.getIfPresent(key);
            if (cached == null && shared.isPresent() && !zeroRetention) {
                cached = shared.get().lookup(key).orElse(null);
                if (cached != null) {
                    cache.put(key, cached);
                }
            }
            if (cached != null) {
                exchange.put(Attributes.CACHE_STATUS, HIT);
                return Optional.of(cached);
            }
        }
        exchange.put(Attributes.CACHE_STATUS, MISS);
        exchange.put(pending, new Pending(key, zeroRetention));
        return Optional.empty();
    }

    @Override
    public ChatResponse onResponse(ChatResponse response, Exchange exchange) {
        exchange.get(pending).ifPresent(answer -> store(answer, response));
        return response;
    }

    @Override
    public StreamTransformer openStream(ChatRequest request, Exchange exchange) {
        Optional<Pending> answer = exchange.get(pending);
        return answer.isEmpty() ? StreamTransformer.PASS_THROUGH : new Recorder(answer.get());
    }

    /** An answer this exchange would store must be seen in the canonical model; any other needs no cache. */
    @Override
    public boolean leavesAnswerAlone(Exchange exchange) {
        return exchange.get(pending).isEmpty();
    }

    /** The number of answers held, after pending maintenance; for tests. */
    long size() {
        cache.cleanUp();
        return cache.estimatedSize();
    }

    /** The answer held for a key, if any; for tests. */
    Optional<ChatResponse> peek(Key key) {
        return Optional.ofNullable(cache.getIfPresent(key));
    }

    @Override
    public void close() {
        cache.invalidateAll();
        shared.ifPresent(SharedTier::close);
    }

    private void store(Pending answer, ChatResponse response) {
        if (complete(response)) {
            cache.put(answer.key(), response);
            if (!answer.zeroRetention()) {
                shared.ifPresent(tier -> tier.store(answer.key(), response));
            }
        }
    }

    /** Errors never get here; a truncated answer, without a finish reason, must not be served again either. */
    private static boolean complete(ChatResponse response) {
        if (response.choices().isEmpty()) {
            return false;
        }
        for (Choice choice : response.choices()) {
            if (choice.finishReason().isEmpty()) {
                return false;
            }
        }
        return true;
    }

    /** Passes every event on unchanged and stores what they amounted to once the stream ended normally. */
    private final class Recorder implements StreamTransformer {
        private final Pending answer;
        private final StreamAssembler assembler = new StreamAssembler();

        Recorder(Pending answer) {
            this.answer = answer;
        }

        @Override
        public void onEvent(ChatChunk event, StreamSink sink) {
            assembler.add(event);
            sink.emit(event);
        }

        @Override
        public void onComplete(StreamSink sink) {
            store(answer, assembler.response());
        }
    }
}
