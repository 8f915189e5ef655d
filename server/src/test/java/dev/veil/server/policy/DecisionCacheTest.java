package dev.veil.server.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import dev.veil.server.testing.FakeClock;

class DecisionCacheTest {
    private static final Duration TTL = Duration.ofSeconds(5);

    private final FakeClock clock = new FakeClock();
    private final DecisionCache cache = new DecisionCache(10, TTL, clock::nanos);

    @Test
    void reusesADecisionForTheSameInputBytes() {
        Decision allow = decision(true);
        cache.put(input("{\"a\":1}"), allow);

        assertThat(cache.get(input("{\"a\":1}"))).isSameAs(allow);
    }

    @Test
    void neverReusesADecisionForDifferentBytes() {
        cache.put(input("{\"a\":1}"), decision(true));

        assertThat(cache.get(input("{\"a\": 1}"))).isNull();
    }

    @Test
    void forgetsADecisionOnceItsTimeToLiveHasPassed() {
        cache.put(input("{\"a\":1}"), decision(true));

        clock.advance(TTL.minusNanos(1));
        Decision beforeExpiry = cache.get(input("{\"a\":1}"));
        clock.advance(Duration.ofNanos(1));

        assertThat(beforeExpiry).isNotNull();
        assertThat(cache.get(input("{\"a\":1}"))).isNull();
    }

    @Test
    void holdsNoMoreThanItsSize() {
        IntStream.range(0, 1_000).forEach(i -> cache.put(input("{\"n\":" + i + "}"), decision(true)));

        long kept = IntStream.range(0, 1_000).filter(i -> cache.get(input("{\"n\":" + i + "}")) != null).count();
        assertThat(kept).isBetween(1L, 10L);
    }

    private static byte[] input(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    private static Decision decision(boolean allow) {
        return new Decision(allow, List.of(), Optional.empty(), OptionalInt.empty(), Optional.empty(), Map.of(),
                Optional.empty(), Optional.empty(), Optional.empty());
    }
}
