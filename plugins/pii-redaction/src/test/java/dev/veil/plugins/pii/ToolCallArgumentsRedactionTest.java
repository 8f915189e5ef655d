package dev.veil.plugins.pii;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.veil.spi.ChatMessage;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.ChatResponse;
import dev.veil.spi.Choice;
import dev.veil.spi.Extensions;
import dev.veil.spi.FinishReason;
import dev.veil.spi.Role;
import dev.veil.spi.ToolCall;
import dev.veil.spi.plugin.PluginContext;
import dev.veil.spi.plugin.PluginSettings;
import dev.veil.spi.testing.TestExchange;

/**
 * Tool-call arguments are JSON documents: their strings are read decoded, redacted, and written back encoded, and
 * the client gets its values back in the answer's arguments.
 */
class ToolCallArgumentsRedactionTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PEM = "-----BEGIN EC PRIVATE KEY-----\\nMHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5oGAn\\n"
            + "oAoGCCqGSM49AwEHoUQDQgAEZvHcl2cO0JqX5Sc9Y1sR0OiQ5QmX0WW2vGj4vX1Y\\n-----END EC PRIVATE KEY-----";

    @TempDir
    Path dataDir;

    private final TestExchange exchange = new TestExchange();

    @Test
    void redactsANameWithAUnicodeEscapeWholeAndRestoresIt() {
        String arguments = "{\"name\": \"Dagny Sj\\u00f6berg\"}";

        String sent = send(arguments);

        assertThat(sent).isEqualTo("{\"name\": \"<PERSON_1>\"}");
        assertThat(value(restore(sent), "name")).isEqualTo("Dagny Sjöberg");
    }

    @Test
    void findsANameRightAfterAnEscapedLineBreak() {
        String arguments = "{\"note\": \"Call back tomorrow.\\nMaria Keller asked for a refund.\"}";

        String sent = send(arguments);

        assertThat(sent).isEqualTo("{\"note\": \"Call back tomorrow.\\n<PERSON_1> asked for a refund.\"}");
        assertThat(restore(sent)).isEqualTo(arguments);
    }

    @Test
    void keepsTheEscapeOfALineBreakBeforeAnEmailAddressSoTheArgumentsStayJson() {
        String arguments = "{\"signature\": \"Tel. +49 151 77886613\\nkavitha.gill@example.nl\"}";

        String sent = send(arguments);

        assertThat(sent).isEqualTo("{\"signature\": \"Tel. <PHONE_1>\\n<EMAIL_1>\"}");
        assertThat(restore(sent)).isEqualTo(arguments);
    }

    @Test
    void redactsAPrivateKeyWhoseLineBreaksAreEscapedTwiceInsideAJsonString() {
        String inner = "{\"private_key\": \"" + PEM + "\"}";
        String arguments = JSON.createObjectNode().put("config", inner).toString();

        String sent = send(arguments);

        assertThat(sent).doesNotContain("MHcCAQEE", "END EC PRIVATE").contains("<SECRET_1>");
        assertThat(value(restore(sent), "config")).isEqualTo(inner);
    }

    @Test
    void keepsAFindingInsideTheStringItStartsIn() throws Exception {
        String arguments = "{\"street\": \"5893 Elmwood Avenue\", \"city\": \"Denver, CO 80269\"}";

        String sent = send(arguments);

        assertThat(JSON.readTree(sent)).isNotNull();
        assertThat(restore(sent)).isEqualTo(arguments);
    }

    private String send(String arguments) {
        ChatRequest request = ChatRequest.of("m", List.of(ChatMessage.text(Role.USER, "Go on."),
                ChatMessage.text(Role.ASSISTANT, "").withToolCalls(List.of(new ToolCall("call_1", "crm",
                        arguments)))));
        PiiRedactionPlugin plugin = plugin();
        this.plugin = plugin;
        ChatRequest sent = plugin.onDecision(plugin.onRequest(request, exchange), exchange);
        return sent.messages().get(1).toolCalls().get(0).arguments();
    }

    private PiiRedactionPlugin plugin;

    private String restore(String arguments) {
        ChatResponse answer = new ChatResponse("r", 1, "m", List.of(new Choice(0, ChatMessage.text(Role.ASSISTANT,
                "").withToolCalls(List.of(new ToolCall("call_2", "crm", arguments))),
                Optional.of(FinishReason.TOOL_CALLS), Extensions.NONE)), Optional.empty(), Optional.empty(),
                Extensions.NONE);
        return plugin.onResponse(answer, exchange).choices().get(0).message().toolCalls().get(0).arguments();
    }

    private static String value(String arguments, String key) {
        try {
            JsonNode node = JSON.readTree(arguments);
            return node.path(key).asText();
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + arguments, e);
        }
    }

    private PiiRedactionPlugin plugin() {
        return (PiiRedactionPlugin) new PiiRedactionFactory().create(new PluginSettings("veil.plugins[0]",
                Map.of("hash-key", "0123456789abcdef")), new PluginContext() {
                    @Override
                    public String name() {
                        return "pii-redaction";
                    }

                    @Override
                    public System.Logger logger() {
                        return System.getLogger(ToolCallArgumentsRedactionTest.class.getName());
                    }

                    @Override
                    public Path dataDir() {
                        return dataDir;
                    }
                });
    }
}
