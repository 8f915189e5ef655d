package dev.veil.spi.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.veil.spi.ErrorKind;
import dev.veil.spi.Usage;
import org.junit.jupiter.api.Test;

/** The plugin API's values: typed attributes, factories and builders. */
class PluginValuesTest {

    @Test
    void findingsAddUpByType() {
        PiiFindings request = PiiFindings.of(Map.of("EMAIL", 2, "PERSON", 1));
        PiiFindings embeddings = PiiFindings.of(Map.of("EMAIL", 1, "IBAN", 3));

        PiiFindings both = request.plus(embeddings);

        assertThat(both.counts()).containsExactly(Map.entry("EMAIL", 3), Map.entry("IBAN", 3),
                Map.entry("PERSON", 1));
        assertThat(both.total()).isEqualTo(7);
        assertThat(both.count("PHONE")).isZero();
    }

    @Test
    void findingsLeaveOutTypesCountedZero() {
        PiiFindings findings = PiiFindings.of(Map.of("EMAIL", 0, "PERSON", 1));

        assertThat(findings.types()).containsExactly("PERSON");
        assertThat(PiiFindings.of(Map.of("EMAIL", 0)).isEmpty()).isTrue();
    }

    @Test
    void findingsRefuseNegativeCounts() {
        assertThatThrownBy(() -> PiiFindings.of(Map.of("EMAIL", -1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("EMAIL");
    }

    @Test
    void findingsSaturateRatherThanOverflow() {
        PiiFindings many = PiiFindings.of(Map.of("EMAIL", Integer.MAX_VALUE));

        assertThat(many.plus(many).count("EMAIL")).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void findingsCannotBeChangedFromOutside() {
        Map<String, Integer> counts = new java.util.HashMap<>(Map.of("EMAIL", 1));
        PiiFindings findings = PiiFindings.of(counts);
        counts.put("PERSON", 1);

        assertThat(findings.types()).containsExactly("EMAIL");
        assertThatThrownBy(() -> findings.counts().put("X", 1)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void obligationsNameTheModeOfEachTypeTheDecisionNamed() {
        RedactionObligations obligations = RedactionObligations.of(Map.of("PERSON", "block"));

        assertThat(obligations.mode("PERSON")).contains("block");
        assertThat(obligations.mode("EMAIL")).isEmpty();
        assertThat(RedactionObligations.of(Map.of())).isSameAs(RedactionObligations.NONE);
    }

    @Test
    void pseudonymsNameTheHighestNumberOfEachType() {
        Pseudonyms pseudonyms = Pseudonyms.of(Map.of("<EMAIL_1>", "ann@example.com", "<EMAIL_12>", "bob@example.com",
                "<CREDIT_CARD_2>", "4111111111111111"));

        assertThat(pseudonyms.lastNumber("EMAIL")).isEqualTo(12);
        assertThat(pseudonyms.lastNumber("CREDIT_CARD")).isEqualTo(2);
        assertThat(pseudonyms.lastNumber("PERSON")).isZero();
        assertThat(pseudonyms.original("<EMAIL_12>")).contains("bob@example.com");
        assertThat(pseudonyms.originals().keySet()).containsExactly("<CREDIT_CARD_2>", "<EMAIL_1>", "<EMAIL_12>");
    }

    @Test
    void pseudonymsNeverShowAValueInTheirText() {
        Pseudonyms pseudonyms = Pseudonyms.of(Map.of("<PERSON_1>", "Alice Smith"));

        assertThat(pseudonyms.toString()).doesNotContain("Alice").contains("1");
    }

    @Test
    void pseudonymsRefuseWhatIsNotAPlaceholderNamingItButNotTheValue() {
        for (String notOne : List.of("PERSON_1", "<person_1>", "<PERSON>", "<PERSON_0>", "<PERSON_01>",
                "<PERSON_1> ", "<_1>", "<PERSON_9999999999>")) {
            assertThatThrownBy(() -> Pseudonyms.of(Map.of(notOne, "Alice Smith"))).as(notOne)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("Alice");
        }
    }

    @Test
    void pseudonymsGiveAValueOnePlaceholderPerType() {
        assertThatThrownBy(() -> Pseudonyms.of(Map.of("<PERSON_1>", "Alice Smith", "<PERSON_2>", "Alice Smith")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("Alice");
        assertThat(Pseudonyms.of(Map.of("<PERSON_1>", "Jordan", "<LOCATION_1>", "Jordan")).size()).isEqualTo(2);
    }

    @Test
    void pseudonymsCannotBeChangedFromOutside() {
        Map<String, String> originals = new java.util.HashMap<>(Map.of("<PERSON_1>", "Alice Smith"));
        Pseudonyms pseudonyms = Pseudonyms.of(originals);
        originals.put("<PERSON_2>", "Bob Jones");

        assertThat(pseudonyms.size()).isEqualTo(1);
        assertThatThrownBy(() -> pseudonyms.originals().put("<PERSON_3>", "x"))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThat(Pseudonyms.of(Map.of())).isSameAs(Pseudonyms.NONE);
    }

    @Test
    void policyReasonsKeepThePolicysOrder() {
        assertThat(PolicyReasons.of(List.of("b", "a")).reasons()).containsExactly("b", "a");
    }

    @Test
    void aRouteBuilderSetsEveryField() {
        List<Target> targets = List.of(Target.of("openai", "gpt-4o"));
        List<Target> fallbacks = List.of(Target.parse("anthropic/claude"));

        Route built = Route.builder(targets).contextFallbacks(fallbacks).retries(2).backoff(Duration.ofMillis(250))
                .deadline(Duration.ofSeconds(60)).build();

        assertThat(built).isEqualTo(new Route(targets, fallbacks, 2, Duration.ofMillis(250), Duration.ofSeconds(60)));
        assertThat(built.toBuilder().build()).isEqualTo(built);
        assertThat(Route.of(targets)).isEqualTo(new Route(targets, List.of(), 0, Duration.ZERO,
                Route.DEFAULT_DEADLINE));
    }

    @Test
    void anOutcomeBuilderSetsEveryField() {
        Outcome built = Outcome.builder(502, Duration.ofMillis(5)).error(ErrorKind.UPSTREAM).usage(Usage.of(1, 2))
                .provider("openai").model("gpt-4o").attempts(3).clientCancelled(true).build();

        assertThat(built).isEqualTo(new Outcome(502, Optional.of(ErrorKind.UPSTREAM), Optional.of(Usage.of(1, 2)),
                Duration.ofMillis(5), Optional.of("openai"), Optional.of("gpt-4o"), 3, true));
        assertThat(Outcome.builder(200, Duration.ZERO).build().attempts()).isEqualTo(1);
    }

    @Test
    void hostValuesHaveFactoriesForPluginTests() {
        assertThat(Caller.of("k_1", "acme", "support").withLabels(Map.of("env", "prod")))
                .isEqualTo(new Caller("k_1", "acme", "support", Map.of("env", "prod")));
        assertThat(ProviderInfo.of("local", "openai-compatible").withRegion("eu").withZeroRetention(true))
                .isEqualTo(new ProviderInfo("local", "openai-compatible", Optional.of("eu"), true));
        assertThat(Attempt.of(Target.of("p", "m"), Attempt.Result.RATE_LIMITED, Duration.ofMillis(3))
                .withRetryAfter(Duration.ofSeconds(1))).isEqualTo(new Attempt(new Target("p", "m"),
                Attempt.Result.RATE_LIMITED, Duration.ofMillis(3), Optional.of(Duration.ofSeconds(1))));
    }
}
