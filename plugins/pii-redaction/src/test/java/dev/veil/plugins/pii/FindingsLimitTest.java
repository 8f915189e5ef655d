package dev.veil.plugins.pii;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.veil.spi.ChatMessage;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.ChatResponse;
import dev.veil.spi.Choice;
import dev.veil.spi.EmbeddingInput;
import dev.veil.spi.EmbeddingsRequest;
import dev.veil.spi.FinishReason;
import dev.veil.spi.Role;
import dev.veil.spi.VeilException;
import dev.veil.spi.plugin.Attributes;
import dev.veil.spi.plugin.PiiFindings;
import dev.veil.spi.plugin.PluginConfigException;
import dev.veil.spi.plugin.PluginContext;
import dev.veil.spi.plugin.PluginSettings;
import dev.veil.spi.testing.TestExchange;

/** The plugin with every built-in detector, as {@code {name: pii-redaction}} configures it, at its findings limit. */
class FindingsLimitTest {
    private static final String SETTING = "veil.plugins[0].max-findings";

    @TempDir
    Path dataDir;

    private final TestExchange exchange = new TestExchange();

    @Test
    void redactsAndRestoresEveryFindingUpToTheLimit() {
        PiiRedactionPlugin plugin = plugin(Map.of());
        String prompt = distinctEmails(FindingsLimit.DEFAULT);

        ChatRequest sent = plugin.onDecision(plugin.onRequest(chat(prompt), exchange), exchange);

        String redacted = sent.messages().get(0).text();
        assertThat(redacted).doesNotContain("@").contains("<EMAIL_1>", "<EMAIL_" + FindingsLimit.DEFAULT + ">");
        assertThat(exchange.get(Attributes.PII_FINDINGS))
                .contains(PiiFindings.of(Map.of("EMAIL", FindingsLimit.DEFAULT)));
        assertThat(text(plugin.onResponse(answer(redacted), exchange))).isEqualTo(prompt);
    }

    @Test
    void refusesOneFindingOverTheLimitWith413NamingTheLimitAndTheSetting() {
        PiiRedactionPlugin plugin = plugin(Map.of());

        assertThatThrownBy(() -> plugin.onRequest(chat(distinctEmails(FindingsLimit.DEFAULT + 1)), exchange))
                .isInstanceOfSatisfying(VeilException.class, e -> {
                    assertThat(e.status()).isEqualTo(413);
                    assertThat(e.type()).isEqualTo("invalid_request_error");
                    assertThat(e.code()).hasValue("pii_too_many_findings");
                    assertThat(e.getMessage()).contains("over 10000", SETTING).doesNotContain("example", "user");
                });
        assertThat(exchange.get(Attributes.PII_FINDINGS)).isEmpty();
    }

    @Test
    void refusesThePromptOfEightyThousandEmails() {
        PiiRedactionPlugin plugin = plugin(Map.of());

        assertThatThrownBy(() -> plugin.onRequest(chat("maria@example.com ".repeat(80_000)), exchange))
                .isInstanceOfSatisfying(VeilException.class, e -> assertThat(e.status()).isEqualTo(413))
                .hasMessageNotContaining("maria");
    }

    @Test
    void countsTheFindingsOfEveryTextOfTheRequest() {
        PiiRedactionPlugin plugin = plugin(Map.of("max-findings", "100"));

        assertThat(plugin.onRequest(chat(distinctEmails(50), distinctEmails(50)), exchange).messages())
                .allMatch(message -> !message.text().contains("@"));
        assertThatThrownBy(() -> plugin.onRequest(chat(distinctEmails(60), distinctEmails(41)), new TestExchange()))
                .isInstanceOf(VeilException.class).hasMessageContaining("over 100 ");
    }

    @Test
    void refusesMorePlaceholderShapedStringsOfDetectedTypesThanTheLimit() {
        PiiRedactionPlugin plugin = plugin(Map.of("max-findings", "100"));
        StringBuilder ours = new StringBuilder();
        StringBuilder others = new StringBuilder();
        for (int i = 1; i <= 101; i++) {
            ours.append("<EMAIL_").append(i).append("> ");
            others.append("<TICKET_").append(i).append("> ");
        }

        assertThatThrownBy(() -> plugin.onRequest(chat(ours.toString()), exchange))
                .isInstanceOfSatisfying(VeilException.class, e -> assertThat(e.status()).isEqualTo(413));
        ChatRequest request = chat(others.toString());
        assertThat(plugin.onRequest(request, new TestExchange())).isSameAs(request);
    }

    @Test
    void refusesMorePhoneNumberLikeCandidatesThanTheLimitEvenWhenNoneIsAPhoneNumber() {
        PiiRedactionPlugin plugin = plugin(Map.of("max-findings", "100"));
        ChatRequest underLimit = chat("0000 0000; ".repeat(100));

        assertThat(plugin.onRequest(underLimit, exchange)).isSameAs(underLimit);
        assertThatThrownBy(() -> plugin.onRequest(chat("0000 0000; ".repeat(101)), new TestExchange()))
                .isInstanceOfSatisfying(VeilException.class, e -> assertThat(e.status()).isEqualTo(413));
    }

    @Test
    void refusesARequestOnWhichACustomPatternBacktracksFarMoreThanItReads() {
        PiiRedactionPlugin plugin = plugin(Map.of("max-findings", "100"),
                Map.of("custom", List.of(Map.of("type", "CODE", "pattern", "(.*a){12}b"))));

        assertThatThrownBy(() -> plugin.onRequest(chat("a".repeat(60)), exchange))
                .isInstanceOfSatisfying(VeilException.class, e -> assertThat(e.status()).isEqualTo(413));
    }

    @Test
    void refusesEmbeddingsInputsOverTheLimit() {
        PiiRedactionPlugin plugin = plugin(Map.of("max-findings", "100"));
        EmbeddingsRequest request = EmbeddingsRequest.of("m", EmbeddingInput.texts(List.of(distinctEmails(60),
                distinctEmails(41))));

        assertThatThrownBy(() -> plugin.onEmbeddings(request, exchange))
                .isInstanceOfSatisfying(VeilException.class, e -> assertThat(e.status()).isEqualTo(413));
    }

    @Test
    void withholdsAnAnswerWithMoreNewPersonalDataThanTheLimit() {
        PiiRedactionPlugin plugin = plugin(Map.of("max-findings", "100", "scan-output", "true"));
        plugin.onDecision(plugin.onRequest(chat("hello"), exchange), exchange);

        assertThat(text(plugin.onResponse(answer(distinctEmails(100)), exchange))).doesNotContain("@");
        assertThatThrownBy(() -> plugin.onResponse(answer(distinctEmails(101)), exchange))
                .isInstanceOfSatisfying(VeilException.class, e -> {
                    assertThat(e.status()).isEqualTo(502);
                    assertThat(e.code()).hasValue("pii_too_many_findings");
                    assertThat(e.getMessage()).contains(SETTING).doesNotContain("example");
                });
    }

    @Test
    void refusesToStartWithALimitBelowOne() {
        assertThatThrownBy(() -> plugin(Map.of("max-findings", "0"))).isInstanceOf(PluginConfigException.class)
                .hasMessageContaining(SETTING);
    }

    private PiiRedactionPlugin plugin(Map<String, String> settings) {
        return plugin(settings, Map.of());
    }

    private PiiRedactionPlugin plugin(Map<String, String> settings, Map<String, Object> sections) {
        Map<String, Object> values = new java.util.HashMap<>(settings);
        values.putAll(sections);
        values.put("hash-key", "0123456789abcdef");
        return (PiiRedactionPlugin) new PiiRedactionFactory().create(new PluginSettings("veil.plugins[0]", values),
                new PluginContext() {
                    @Override
                    public String name() {
                        return "pii-redaction";
                    }

                    @Override
                    public System.Logger logger() {
                        return System.getLogger(FindingsLimitTest.class.getName());
                    }

                    @Override
                    public Path dataDir() {
                        return dataDir;
                    }
                });
    }

    private static String distinctEmails(int count) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < count; i++) {
            text.append("user").append(i).append("@example.com ");
        }
        return text.toString();
    }

    private static ChatRequest chat(String... texts) {
        return ChatRequest.of("m", java.util.Arrays.stream(texts).map(text -> ChatMessage.text(Role.USER, text))
                .toList());
    }

    private static ChatResponse answer(String text) {
        return ChatResponse.builder("r1", 1, "m")
                .choices(List.of(Choice.of(0, ChatMessage.text(Role.ASSISTANT, text), FinishReason.STOP))).build();
    }

    private static String text(ChatResponse response) {
        return response.choices().get(0).message().text();
    }
}
