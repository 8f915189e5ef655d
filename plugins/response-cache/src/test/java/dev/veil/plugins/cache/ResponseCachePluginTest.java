package dev.veil.plugins.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import dev.veil.spi.ChatChunk;
import dev.veil.spi.ChatMessage;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.ChatResponse;
import dev.veil.spi.Choice;
import dev.veil.spi.ChunkChoice;
import dev.veil.spi.Delta;
import dev.veil.spi.FinishReason;
import dev.veil.spi.Role;
import dev.veil.spi.Usage;
import dev.veil.spi.plugin.Attributes;
import dev.veil.spi.plugin.Exchange;
import dev.veil.spi.plugin.StreamTransformer;
import dev.veil.spi.testing.TestExchange;

class ResponseCachePluginTest {
    private static final ChatRequest REQUEST = ChatRequest.of("smart", List.of(ChatMessage.text(Role.USER, "Hi")));
    private static final CacheSettings DEFAULTS = new CacheSettings(Duration.ofMinutes(10), 100, OptionalLong.empty(),
            false, Optional.empty());

    private final AtomicLong nanos = new AtomicLong();
    private ResponseCachePlugin cache = plugin(DEFAULTS);

    private ResponseCachePlugin plugin(CacheSettings settings) {
        return new ResponseCachePlugin(settings, Optional.empty(), nanos::get, Runnable::run);
    }

    private static ChatResponse answer(String text) {
        return ChatResponse.builder("chatcmpl-1", 1, "gpt-4o").choices(List.of(Choice.of(0,
                ChatMessage.text(Role.ASSISTANT, text), FinishReason.STOP))).usage(Usage.of(3, 4)).build();
    }

    private static ChatRequest asking(String text) {
        return ChatRequest.of("smart", List.of(ChatMessage.text(Role.USER, text)));
    }

    /** One exchange through the plugin as the server runs it: intercept, then the upstream's answer if needed. */
    private ChatResponse exchange(Exchange exchange, ChatRequest request, ChatResponse upstream) {
        return cache.intercept(request, exchange).orElseGet(() -> cache.onResponse(upstream, exchange));
    }

    private static String status(Exchange exchange) {
        return exchange.get(Attributes.CACHE_STATUS).orElseThrow();
    }

    @Test
    void missesFirstThenServesTheStoredAnswer() {
        TestExchange first = TestExchange.ofTenant("acme");
        exchange(first, REQUEST, answer("Hello"));
        TestExchange second = TestExchange.ofTenant("acme");

        Optional<ChatResponse> hit = cache.intercept(REQUEST, second);

        assertThat(status(first)).isEqualTo("miss");
        assertThat(status(second)).isEqualTo("hit");
        assertThat(hit).hasValue(answer("Hello"));
    }

    @Test
    void expiresAnAnswerAfterItsTtl() {
        exchange(TestExchange.ofTenant("acme"), REQUEST, answer("Hello"));

        nanos.addAndGet(Duration.ofMinutes(10).minusNanos(1).toNanos());
        assertThat(cache.intercept(REQUEST, TestExchange.ofTenant("acme"))).isPresent();
        nanos.addAndGet(1);
        TestExchange expired = TestExchange.ofTenant("acme");

        assertThat(cache.intercept(REQUEST, expired)).isEmpty();
        assertThat(status(expired)).isEqualTo("miss");
    }

    @Test
    void keepsNoMoreThanMaxEntries() {
        cache = plugin(new CacheSettings(Duration.ofMinutes(10), 2, OptionalLong.empty(), false, Optional.empty()));

        for (int i = 0; i < 5; i++) {
            exchange(TestExchange.ofTenant("acme"), asking("question " + i), answer("answer " + i));
        }

        assertThat(cache.size()).isEqualTo(2);
    }

    @Test
    void keepsNoMoreThanMaxBytes() {
        ChatResponse big = answer("x".repeat(1000));
        cache = plugin(new CacheSettings(Duration.ofMinutes(10), 0, OptionalLong.of(3L * AnswerWeight.of(big)),
                false, Optional.empty()));

        for (int i = 0; i < 10; i++) {
            exchange(TestExchange.ofTenant("acme"), asking("question " + i), big);
        }

        assertThat(cache.size()).isEqualTo(3);
    }

    @Test
    void neverServesOneTenantsAnswerToAnother() {
        exchange(TestExchange.ofTenant("acme"), REQUEST, answer("for acme"));
        TestExchange other = TestExchange.ofTenant("globex");

        assertThat(cache.intercept(REQUEST, other)).isEmpty();
        assertThat(status(other)).isEqualTo("miss");
    }

    @Test
    void noStoreNeitherReadsNorWrites() {
        exchange(TestExchange.ofTenant("acme"), REQUEST, answer("stored"));
        TestExchange noStore = TestExchange.ofTenant("acme");
        noStore.put(Attributes.CACHE_CONTROL, "no-store");

        ChatResponse answered = exchange(noStore, asking("other"), answer("fresh"));
        TestExchange noStoreAgain = TestExchange.ofTenant("acme");
        noStoreAgain.put(Attributes.CACHE_CONTROL, "no-store");

        assertThat(answered).isEqualTo(answer("fresh"));
        assertThat(status(noStore)).isEqualTo("bypass");
        assertThat(cache.intercept(REQUEST, noStoreAgain)).isEmpty();
        assertThat(cache.intercept(asking("other"), TestExchange.ofTenant("acme"))).isEmpty();
    }

    @Test
    void refreshSkipsTheStoredAnswerAndStoresTheFreshOne() {
        exchange(TestExchange.ofTenant("acme"), REQUEST, answer("old"));
        TestExchange refresh = TestExchange.ofTenant("acme");
        refresh.put(Attributes.CACHE_CONTROL, "refresh");

        ChatResponse answered = exchange(refresh, REQUEST, answer("new"));

        assertThat(answered).isEqualTo(answer("new"));
        assertThat(status(refresh)).isEqualTo("miss");
        assertThat(cache.intercept(REQUEST, TestExchange.ofTenant("acme"))).hasValue(answer("new"));
    }

    @Test
    void bypassesZeroRetentionExchangesByDefault() {
        exchange(TestExchange.ofTenant("acme"), REQUEST, answer("stored"));
        TestExchange zero = TestExchange.ofTenant("acme");
        zero.put(Attributes.ZERO_RETENTION, true);

        exchange(zero, asking("private"), answer("private answer"));

        assertThat(status(zero)).isEqualTo("bypass");
        assertThat(cache.intercept(asking("private"), TestExchange.ofTenant("acme"))).isEmpty();
    }

    @Test
    void servesZeroRetentionExchangesFromMemoryWhenConfigured() {
        cache = plugin(new CacheSettings(Duration.ofMinutes(10), 100, OptionalLong.empty(), true, Optional.empty()));
        TestExchange first = TestExchange.ofTenant("acme");
        first.put(Attributes.ZERO_RETENTION, true);
        exchange(first, REQUEST, answer("kept in memory"));
        TestExchange second = TestExchange.ofTenant("acme");
        second.put(Attributes.ZERO_RETENTION, true);

        assertThat(cache.intercept(REQUEST, second)).hasValue(answer("kept in memory"));
        assertThat(status(second)).isEqualTo("hit");
    }

    @Test
    void doesNotStoreAgainTheAnswerItServed() {
        exchange(TestExchange.ofTenant("acme"), REQUEST, answer("Hello"));
        nanos.addAndGet(Duration.ofMinutes(9).toNanos());
        TestExchange hit = TestExchange.ofTenant("acme");
        ChatResponse served = cache.intercept(REQUEST, hit).orElseThrow();

        cache.onResponse(served, hit);
        StreamTransformer replay = cache.openStream(REQUEST, hit);
        nanos.addAndGet(Duration.ofMinutes(1).toNanos());

        assertThat(replay).isSameAs(StreamTransformer.PASS_THROUGH);
        assertThat(cache.intercept(REQUEST, TestExchange.ofTenant("acme"))).isEmpty();
    }

    @Test
    void doesNotStoreAnAnswerWithoutAFinishReason() {
        ChatResponse truncated = answer("Hel").withChoices(List.of(Choice.of(0, ChatMessage.text(Role.ASSISTANT,
                "Hel"))));

        exchange(TestExchange.ofTenant("acme"), REQUEST, truncated);

        assertThat(cache.size()).isZero();
    }

    @Test
    void storesAStreamedAnswerOnlyWhenTheStreamCompletes() {
        TestExchange interrupted = TestExchange.ofTenant("acme");
        cache.intercept(REQUEST, interrupted);
        StreamTransformer transformer = cache.openStream(REQUEST, interrupted);
        List<ChatChunk> passed = new ArrayList<>();
        transformer.onEvent(chunk(ChunkChoice.of(0, Delta.content("Hel"))), passed::add);

        assertThat(passed).hasSize(1);
        assertThat(cache.size()).isZero();

        TestExchange completed = TestExchange.ofTenant("acme");
        cache.intercept(REQUEST, completed);
        StreamTransformer second = cache.openStream(REQUEST, completed);
        second.onEvent(chunk(ChunkChoice.of(0, Delta.content("Hello"))), passed::add);
        second.onEvent(chunk(ChunkChoice.of(0, Delta.EMPTY, FinishReason.STOP)), passed::add);
        second.onComplete(passed::add);

        assertThat(cache.intercept(REQUEST, TestExchange.ofTenant("acme")).orElseThrow().choices().get(0).message()
                .text()).isEqualTo("Hello");
    }

    private static ChatChunk chunk(ChunkChoice choice) {
        return ChatChunk.builder("chatcmpl-s", 7, "gpt-4o").choices(List.of(choice)).build();
    }
}
