package dev.veil.plugins.pii;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.veil.plugins.pii.detect.ner.TinyModel;
import dev.veil.spi.ChatMessage;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.ChatResponse;
import dev.veil.spi.Choice;
import dev.veil.spi.FinishReason;
import dev.veil.spi.Role;
import dev.veil.spi.VeilException;
import dev.veil.spi.plugin.Attributes;
import dev.veil.spi.plugin.PiiFindings;
import dev.veil.spi.plugin.PluginConfigException;
import dev.veil.spi.plugin.PluginContext;
import dev.veil.spi.plugin.PluginSettings;
import dev.veil.spi.testing.TestExchange;

/** The NER detector in the plugin, on the tiny model: its findings join the rule-based ones within the same bounds. */
class NerRedactionTest {
    @TempDir
    Path dataDir;

    private final TestExchange exchange = new TestExchange();
    private PiiRedactionPlugin plugin;

    @AfterEach
    void close() {
        if (plugin != null) {
            plugin.close();
        }
    }

    @Test
    void modelFindingsJoinTheRuleFindingsAndAreRestored() {
        plugin = plugin(Map.of(), Map.of());
        String prompt = "Ask Maria Brown (maria@example.com) and zorvath quillane about the invoice.";

        ChatRequest sent = plugin.onDecision(plugin.onRequest(chat(prompt), exchange), exchange);

        String redacted = sent.messages().get(0).text();
        assertThat(redacted).isEqualTo("Ask <PERSON_1> (<EMAIL_1>) and <PERSON_2> about the invoice.");
        assertThat(exchange.get(Attributes.PII_FINDINGS)).contains(PiiFindings.of(Map.of("PERSON", 2, "EMAIL", 1)));
        assertThat(text(plugin.onResponse(answer("I asked <PERSON_2> and <PERSON_1>."), exchange)))
                .isEqualTo("I asked zorvath quillane and Maria Brown.");
    }

    @Test
    void aModelTypeCanHaveAModeOfItsOwn() {
        plugin = plugin(Map.of("modes", Map.of("LOCATION", "mask")),
                Map.of("types", Map.of("PER", "PERSON", "LOC", "LOCATION")));
        String prompt = "zorvath lives near brackwater";

        String redacted = plugin.onDecision(plugin.onRequest(chat(prompt), exchange), exchange).messages().get(0)
                .text();

        assertThat(redacted).startsWith("<PERSON_1> lives near ").doesNotContain("brackwater");
    }

    @Test
    void eachModelRunCountsAgainstMaxFindings() {
        plugin = plugin(Map.of("max-findings", "5"), Map.of("max-sequence", "8"));

        assertThatThrownBy(() -> plugin.onRequest(chat("please call the office about the report. ".repeat(20)),
                exchange)).isInstanceOfSatisfying(VeilException.class, e -> {
                    assertThat(e.status()).isEqualTo(413);
                    assertThat(e.code()).hasValue("pii_too_many_findings");
                });
    }

    @Test
    void aNerTypeIsADetectedTypeForModes() {
        assertThatThrownBy(() -> plugin(Map.of("modes", Map.of("LOCATION", "mask")), Map.of()))
                .isInstanceOf(PluginConfigException.class)
                .hasMessageContaining("LOCATION: is not a detected type");
    }

    private PiiRedactionPlugin plugin(Map<String, Object> settings, Map<String, Object> ner) {
        Map<String, Object> values = new HashMap<>(settings);
        values.put("hash-key", "0123456789abcdef");
        values.put("ner", TinyModel.settings(ner));
        return (PiiRedactionPlugin) new PiiRedactionFactory().create(new PluginSettings("veil.plugins[0]", values),
                new PluginContext() {
                    @Override
                    public String name() {
                        return "pii-redaction";
                    }

                    @Override
                    public System.Logger logger() {
                        return System.getLogger(NerRedactionTest.class.getName());
                    }

                    @Override
                    public Path dataDir() {
                        return dataDir;
                    }
                });
    }

    private static ChatRequest chat(String text) {
        return ChatRequest.of("m", List.of(ChatMessage.text(Role.USER, text)));
    }

    private static ChatResponse answer(String text) {
        return ChatResponse.builder("r1", 1, "m")
                .choices(List.of(Choice.of(0, ChatMessage.text(Role.ASSISTANT, text), FinishReason.STOP))).build();
    }

    private static String text(ChatResponse response) {
        return response.choices().get(0).message().text();
    }
}
