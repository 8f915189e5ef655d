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
    private static final Duration MAX_POLICY_TTL = Duration.ofSeconds(30);
    private static final DecisionReuse IGNORING_TOKENS = new DecisionReuse(Duration.ofSeconds(10),
            List.of("request.tokens"));

    private final FakeClock clock = new FakeClock();
    private final DecisionCache exact = new DecisionCache(10, Optional.of(TTL), MAX_POLICY_TTL, clock::nanos);
    private final DecisionCache onPolicy = new DecisionCache(10, Optional.empty(), MAX_POLICY_TTL, clock::nanos);

    @Test
    void reusesADecisionForTheSameInputBytes() {
        Decision allow = decision(true, Optional.empty());
        exact.put(input("{\"a\":1}"), allow, exact.generation());

        assertThat(exact.get(input("{\"a\":1}"))).isSameAs(allow);
    }

    @Test
    void neverReusesADecisionForDifferentBytes() {
        exact.put(input("{\"a\":1}"), decision(true, Optional.empty()), exact.generation());

        assertThat(exact.get(input("{\"a\": 1}"))).isNull();
    }

    @Test
    void forgetsADecisionOnceItsTimeToLiveHasPassed() {
        exact.put(input("{\"a\":1}"), decision(true, Optional.empty()), exact.generation());

        clock.advance(TTL.minusNanos(1));
        Decision beforeExpiry = exact.get(input("{\"a\":1}"));
        clock.advance(Duration.ofNanos(1));

        assertThat(beforeExpiry).isNotNull();
        assertThat(exact.get(input("{\"a\":1}"))).isNull();
    }

    @Test
    void holdsNoMoreThanItsSize() {
        IntStream.range(0, 1_000).forEach(i -> exact.put(input("{\"n\":" + i + "}"), decision(true,
                Optional.empty()), exact.generation()));

        long kept = IntStream.range(0, 1_000).filter(i -> exact.get(input("{\"n\":" + i + "}")) != null).count();
        assertThat(kept).isBetween(1L, 10L);
    }

    @Test
    void keepsNothingThePolicyDoesNotMarkWhenNoTimeIsConfigured() {
        onPolicy.put(input("{\"a\":1}"), decision(true, Optional.empty()), onPolicy.generation());

        assertThat(onPolicy.get(input("{\"a\":1}"))).isNull();
    }

    @Test
    void reusesAnAllowForAnInputThatDiffersOnlyInAFieldThePolicyIgnores() {
        Decision allow = decision(true, Optional.of(IGNORING_TOKENS));
        onPolicy.put(input("{\"request\":{\"model\":\"m\",\"tokens\":5}}"), allow, onPolicy.generation());

        assertThat(onPolicy.get(input("{\"request\":{\"model\":\"m\",\"tokens\":900}}"))).isSameAs(allow);
        assertThat(onPolicy.get(input("{\"request\":{\"model\":\"other\",\"tokens\":5}}"))).isNull();
    }

    @Test
    void neverKeepsADenialOnThePolicysWord() {
        onPolicy.put(input("{\"request\":{\"tokens\":5}}"), decision(false, Optional.of(IGNORING_TOKENS)),
                onPolicy.generation());

        assertThat(onPolicy.get(input("{\"request\":{\"tokens\":5}}"))).isNull();
    }

    @Test
    void keepsAnAllowForTheTimeThePolicyAsks() {
        onPolicy.put(input("{\"request\":{\"tokens\":5}}"), decision(true, Optional.of(IGNORING_TOKENS)),
                onPolicy.generation());

        clock.advance(IGNORING_TOKENS.ttl().minusNanos(1));
        Decision beforeExpiry = onPolicy.get(input("{\"request\":{\"tokens\":5}}"));
        clock.advance(Duration.ofNanos(1));

        assertThat(beforeExpiry).isNotNull();
        assertThat(onPolicy.get(input("{\"request\":{\"tokens\":5}}"))).isNull();
    }

    @Test
    void keepsAnAllowNoLongerThanTheConfiguredMaximumWhateverThePolicyAsks() {
        DecisionReuse hour = new DecisionReuse(Duration.ofHours(1), List.of());
        onPolicy.put(input("{\"a\":1}"), decision(true, Optional.of(hour)), onPolicy.generation());

        clock.advance(MAX_POLICY_TTL);

        assertThat(onPolicy.get(input("{\"a\":1}"))).isNull();
    }

    @Test
    void dropsEverythingWhenCleared() {
        onPolicy.put(input("{\"request\":{\"tokens\":5}}"), decision(true, Optional.of(IGNORING_TOKENS)),
                onPolicy.generation());
        exact.put(input("{\"a\":1}"), decision(false, Optional.empty()), exact.generation());

        onPolicy.clear();
        exact.clear();

        assertThat(onPolicy.get(input("{\"request\":{\"tokens\":5}}"))).isNull();
        assertThat(exact.get(input("{\"a\":1}"))).isNull();
    }

    @Test
    void keepsNoDecisionAskedForBeforeTheLastClear() {
        long asked = onPolicy.generation();
        onPolicy.clear();

        onPolicy.put(input("{\"request\":{\"tokens\":5}}"), decision(true, Optional.of(IGNORING_TOKENS)), asked);

        assertThat(onPolicy.get(input("{\"request\":{\"tokens\":5}}"))).isNull();
    }

    private static byte[] input(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    private static Decision decision(boolean allow, Optional<DecisionReuse> reuse) {
        return new Decision(allow, List.of(), Optional.empty(), OptionalInt.empty(), Optional.empty(), Map.of(),
                Optional.empty(), Optional.empty(), Optional.empty(), reuse);
    }
}
