package dev.veil.plugins.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import dev.veil.spi.ChatMessage;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.ChatResponse;
import dev.veil.spi.Choice;
import dev.veil.spi.FinishReason;
import dev.veil.spi.Role;
import dev.veil.spi.plugin.Attributes;
import dev.veil.spi.plugin.Exchange;
import dev.veil.spi.testing.TestExchange;

/** Two replicas' caches sharing one store, each with its own memory, as two Veil servers share one Redis. */
class ResponseCacheSharedTierTest {
    private static final ChatRequest REQUEST = ChatRequest.of("smart", List.of(ChatMessage.text(Role.USER,
            "What is the capital of Norway?")));
    private static final CacheSettings SETTINGS = new CacheSettings(Duration.ofMinutes(10), 100,
            OptionalLong.empty(), false, Optional.empty());
    private static final Duration SHARED_TTL = Duration.ofHours(1);

    private final MapStore store = new MapStore();
    private final AtomicLong nanos = new AtomicLong();
    private final RecordingLogger log = new RecordingLogger();

    private SharedTier tier(byte[] key) {
        return new SharedTier(store, key, SHARED_TTL, "redis://cache:6379/0", log, nanos::get,
                Optional.of("s3cret"), Runnable::run);
    }

    private ResponseCachePlugin replica(CacheSettings settings, SharedTier tier) {
        return new ResponseCachePlugin(settings, Optional.of(tier), nanos::get, Runnable::run);
    }

    private ResponseCachePlugin replica() {
        return replica(SETTINGS, tier(AnswerSealTest.key(1)));
    }

    private static ChatResponse answer(String text) {
        return ChatResponse.builder("chatcmpl-1", 1, "gpt-4o").choices(List.of(Choice.of(0,
                ChatMessage.text(Role.ASSISTANT, text), FinishReason.STOP))).build();
    }

    private static ChatResponse exchange(ResponseCachePlugin cache, Exchange exchange, ChatResponse upstream) {
        return cache.intercept(REQUEST, exchange).orElseGet(() -> cache.onResponse(upstream, exchange));
    }

    private static String status(Exchange exchange) {
        return exchange.get(Attributes.CACHE_STATUS).orElseThrow();
    }

    private static TestExchange zeroRetention() {
        TestExchange exchange = TestExchange.ofTenant("acme");
        exchange.put(Attributes.ZERO_RETENTION, true);
        return exchange;
    }

    @Test
    void servesAnAnswerAnotherReplicaStored() {
        exchange(replica(), TestExchange.ofTenant("acme"), answer("Oslo"));
        TestExchange other = TestExchange.ofTenant("acme");

        Optional<ChatResponse> hit = replica().intercept(REQUEST, other);

        assertThat(hit).hasValue(answer("Oslo"));
        assertThat(status(other)).isEqualTo("hit");
    }

    @Test
    void fillsMemoryFromASharedHit() {
        exchange(replica(), TestExchange.ofTenant("acme"), answer("Oslo"));
        ResponseCachePlugin second = replica();
        second.intercept(REQUEST, TestExchange.ofTenant("acme"));
        store.unreachable.set(true);
        int operations = store.operations.get();

        assertThat(second.intercept(REQUEST, TestExchange.ofTenant("acme"))).hasValue(answer("Oslo"));
        assertThat(store.operations.get()).isEqualTo(operations);
    }

    @Test
    void storesSealedAnswersForTheSharedTtl() {
        exchange(replica(), TestExchange.ofTenant("acme"), answer("Oslo"));

        assertThat(store.values).hasSize(1);
        String name = store.values.keySet().iterator().next();
        assertThat(name).startsWith(AnswerSeal.PREFIX).doesNotContain("acme");
        assertThat(new String(store.values.get(name), StandardCharsets.ISO_8859_1)).doesNotContain("Oslo",
                "Norway", "gpt-4o");
        assertThat(store.ttls.get(name)).isEqualTo(SHARED_TTL);
    }

    @Test
    void neverServesOneTenantsSharedAnswerToAnother() {
        exchange(replica(), TestExchange.ofTenant("acme"), answer("for acme"));
        TestExchange other = TestExchange.ofTenant("globex");

        assertThat(replica().intercept(REQUEST, other)).isEmpty();
        assertThat(status(other)).isEqualTo("miss");
    }

    @Test
    void sharesNothingWithAReplicaOfAnotherKey() {
        exchange(replica(), TestExchange.ofTenant("acme"), answer("Oslo"));
        TestExchange other = TestExchange.ofTenant("acme");

        assertThat(replica(SETTINGS, tier(AnswerSealTest.key(2))).intercept(REQUEST, other)).isEmpty();
        assertThat(status(other)).isEqualTo("miss");
    }

    @Test
    void takesAnAlteredValueAsAMiss() {
        SharedTier tier = tier(AnswerSealTest.key(1));
        exchange(replica(SETTINGS, tier), TestExchange.ofTenant("acme"), answer("Oslo"));
        store.values.replaceAll((name, value) -> {
            value[value.length - 1] ^= 1;
            return value;
        });

        assertThat(replica(SETTINGS, tier).intercept(REQUEST, TestExchange.ofTenant("acme"))).isEmpty();
        assertThat(tier.rejected()).isEqualTo(1);
    }

    @Test
    void neverWritesAZeroRetentionAnswerToTheSharedTier() {
        CacheSettings memory = new CacheSettings(Duration.ofMinutes(10), 100, OptionalLong.empty(), true,
                Optional.empty());
        ResponseCachePlugin cache = replica(memory, tier(AnswerSealTest.key(1)));

        exchange(cache, zeroRetention(), answer("private"));
        TestExchange again = zeroRetention();

        assertThat(store.values).isEmpty();
        assertThat(store.operations.get()).isZero();
        assertThat(cache.intercept(REQUEST, again)).hasValue(answer("private"));
        assertThat(store.operations.get()).isZero();
    }

    @Test
    void neverReadsTheSharedTierForAZeroRetentionExchange() {
        CacheSettings memory = new CacheSettings(Duration.ofMinutes(10), 100, OptionalLong.empty(), true,
                Optional.empty());
        exchange(replica(), TestExchange.ofTenant("acme"), answer("shared"));
        int operations = store.operations.get();
        TestExchange zero = zeroRetention();

        assertThat(replica(memory, tier(AnswerSealTest.key(1))).intercept(REQUEST, zero)).isEmpty();
        assertThat(status(zero)).isEqualTo("miss");
        assertThat(store.operations.get()).isEqualTo(operations);
    }

    @Test
    void refreshSkipsTheSharedAnswerAndStoresTheFreshOneThere() {
        exchange(replica(), TestExchange.ofTenant("acme"), answer("old"));
        TestExchange refresh = TestExchange.ofTenant("acme");
        refresh.put(Attributes.CACHE_CONTROL, "refresh");

        assertThat(exchange(replica(), refresh, answer("new"))).isEqualTo(answer("new"));
        assertThat(replica().intercept(REQUEST, TestExchange.ofTenant("acme"))).hasValue(answer("new"));
    }

    @Test
    void answersFromMemoryAloneWhileTheStoreIsUnreachable() {
        ResponseCachePlugin cache = replica();
        store.unreachable.set(true);
        TestExchange first = TestExchange.ofTenant("acme");

        ChatResponse answered = exchange(cache, first, answer("Oslo"));

        assertThat(answered).isEqualTo(answer("Oslo"));
        assertThat(status(first)).isEqualTo("miss");
        assertThat(cache.intercept(REQUEST, TestExchange.ofTenant("acme"))).hasValue(answer("Oslo"));
        assertThat(store.values).isEmpty();
    }

    @Test
    void triesAnUnreachableStoreOncePerRetryInterval() {
        SharedTier tier = tier(AnswerSealTest.key(1));
        store.unreachable.set(true);

        tier.lookup(new ResponseCachePlugin.Key("acme", "d1"));
        tier.lookup(new ResponseCachePlugin.Key("acme", "d2"));
        tier.store(new ResponseCachePlugin.Key("acme", "d3"), answer("x"));
        nanos.addAndGet(SharedTier.RETRY.toNanos() - 1);
        tier.lookup(new ResponseCachePlugin.Key("acme", "d4"));

        assertThat(store.operations.get()).isEqualTo(1);
        assertThat(tier.available()).isFalse();
        assertThat(tier.failures()).isEqualTo(1);
        assertThat(store.resets.get()).isEqualTo(1);

        nanos.addAndGet(1);
        tier.lookup(new ResponseCachePlugin.Key("acme", "d5"));

        assertThat(store.operations.get()).isEqualTo(2);
    }

    @Test
    void logsAnOutageOnceAndItsEndOnceWithoutThePassword() {
        SharedTier tier = tier(AnswerSealTest.key(1));
        store.unreachable.set(true);
        for (int i = 0; i < 3; i++) {
            tier.lookup(new ResponseCachePlugin.Key("acme", "d" + i));
            nanos.addAndGet(SharedTier.RETRY.toNanos());
        }
        store.unreachable.set(false);
        tier.lookup(new ResponseCachePlugin.Key("acme", "after"));
        tier.lookup(new ResponseCachePlugin.Key("acme", "after again"));

        assertThat(log.messages).hasSize(2);
        assertThat(log.messages.get(0)).contains("WARNING", "redis://cache:6379/0", "unavailable",
                "connection refused");
        assertThat(log.messages.get(1)).contains("INFO", "available again");
        assertThat(String.join("\n", log.messages)).doesNotContain("s3cret", "acme");
        assertThat(tier.available()).isTrue();
    }

    @Test
    void resumesSharingOnceTheStoreIsBack() {
        ResponseCachePlugin first = replica();
        store.unreachable.set(true);
        exchange(first, TestExchange.ofTenant("acme"), answer("lost"));
        store.unreachable.set(false);
        nanos.addAndGet(SharedTier.RETRY.toNanos());
        TestExchange refresh = TestExchange.ofTenant("acme");
        refresh.put(Attributes.CACHE_CONTROL, "refresh");

        exchange(first, refresh, answer("Oslo"));

        assertThat(replica().intercept(REQUEST, TestExchange.ofTenant("acme"))).hasValue(answer("Oslo"));
    }

    /** Keeps what is logged, level first. */
    private static final class RecordingLogger implements System.Logger {
        final List<String> messages = new CopyOnWriteArrayList<>();

        @Override
        public String getName() {
            return "test";
        }

        @Override
        public boolean isLoggable(Level level) {
            return true;
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String message, Throwable thrown) {
            messages.add(level + " " + message);
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            messages.add(level + " " + format);
        }
    }
}
