package dev.veil.server.codec.responses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.spi.ChatMessage;
import dev.veil.spi.ContentPart;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.Extensions;
import dev.veil.spi.RawJson;
import dev.veil.spi.Role;
import dev.veil.spi.ToolCall;
import dev.veil.spi.VeilException;
import org.junit.jupiter.api.Test;

/** Responses items (input items, and output items sent back) as canonical messages. */
class ResponsesItemsTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    static List<ChatMessage> messages(String itemsJson) {
        try {
            List<JsonNode> items = new ArrayList<>();
            MAPPER.readTree(itemsJson).forEach(items::add);
            return ResponsesRequests.messages(items, "input");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void assertRejected(String itemsJson, String param, String secret) {
        assertThatThrownBy(() -> messages(itemsJson)).isInstanceOfSatisfying(VeilException.class, e -> {
            assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
            assertThat(e.param()).contains(param);
            if (secret != null) {
                assertThat(e.getMessage()).doesNotContain(secret);
            }
        });
    }

    @Test
    void twoTurnHistoryWithFunctionCallsBecomesTheCanonicalConversation() {
        List<ChatMessage> messages = messages("""
                [{"role":"user","content":"Weather in Paris and Rome?"},
                 {"type":"reasoning","id":"rs_1","summary":[{"type":"summary_text","text":"Need two lookups"}]},
                 {"type":"message","id":"msg_1","role":"assistant","status":"completed",
                  "content":[{"type":"output_text","text":"Checking.","annotations":[]}]},
                 {"type":"function_call","id":"fc_1","call_id":"call_a","name":"weather","arguments":"{\\"city\\":\\"Paris\\"}"},
                 {"type":"function_call","id":"fc_2","call_id":"call_b","name":"weather","arguments":"{\\"city\\":\\"Rome\\"}"},
                 {"type":"function_call_output","call_id":"call_a","output":"18C"},
                 {"type":"function_call_output","call_id":"call_b","output":"24C"},
                 {"type":"message","role":"assistant","content":[{"type":"output_text","text":"Paris 18C, Rome 24C."}]},
                 {"type":"message","role":"user","content":[{"type":"input_text","text":"Thanks"}]}]
                """);

        assertThat(messages).containsExactly(
                ChatMessage.text(Role.USER, "Weather in Paris and Rome?"),
                ChatMessage.builder(Role.ASSISTANT).content(List.of(ContentPart.text("Checking.")))
                        .reasoningContent("Need two lookups")
                        .toolCalls(List.of(ToolCall.of("call_a", "weather", "{\"city\":\"Paris\"}"),
                                ToolCall.of("call_b", "weather", "{\"city\":\"Rome\"}"))).build(),
                ChatMessage.builder(Role.TOOL).toolCallId("call_a").content(List.of(ContentPart.text("18C")))
                        .build(),
                ChatMessage.builder(Role.TOOL).toolCallId("call_b").content(List.of(ContentPart.text("24C")))
                        .build(),
                ChatMessage.text(Role.ASSISTANT, "Paris 18C, Rome 24C."),
                ChatMessage.text(Role.USER, "Thanks"));
    }

    @Test
    void functionCallsAfterAUserMessageStartAnAssistantMessage() {
        List<ChatMessage> messages = messages("""
                [{"role":"user","content":"Go"},
                 {"type":"function_call","call_id":"c1","name":"f","arguments":"{}"}]""");

        assertThat(messages.get(1)).isEqualTo(ChatMessage.builder(Role.ASSISTANT)
                .toolCalls(List.of(ToolCall.of("c1", "f", "{}"))).build());
    }

    @Test
    void reasoningBeforeAFunctionCallIsItsMessagesReasoning() {
        List<ChatMessage> messages = messages("""
                [{"role":"user","content":"Go"},
                 {"type":"reasoning","summary":[],"content":[{"type":"reasoning_text","text":"Think"}]},
                 {"type":"function_call","call_id":"c1","name":"f","arguments":"{}"}]""");

        assertThat(messages.get(1).reasoningContent()).contains("Think");
        assertThat(messages.get(1).toolCalls()).hasSize(1);
    }

    @Test
    void callsOfOneTurnStayInOneMessageWhateverComesBetweenThem() {
        List<ChatMessage> messages = messages("""
                [{"role":"user","content":"Go"},
                 {"type":"reasoning","summary":[{"type":"summary_text","text":"First"}]},
                 {"type":"function_call","call_id":"c1","name":"f","arguments":"{}"},
                 {"type":"reasoning","summary":[{"type":"summary_text","text":"Second"}]},
                 {"type":"function_call","call_id":"c2","name":"g","arguments":"{}"},
                 {"role":"assistant","content":"Calling both."},
                 {"type":"function_call_output","call_id":"c1","output":"1"},
                 {"type":"function_call_output","call_id":"c2","output":"2"}]""");

        assertThat(messages).hasSize(4);
        assertThat(messages.get(1)).isEqualTo(ChatMessage.builder(Role.ASSISTANT)
                .content(List.of(ContentPart.text("Calling both."))).reasoningContent("First\n\nSecond")
                .toolCalls(List.of(ToolCall.of("c1", "f", "{}"), ToolCall.of("c2", "g", "{}"))).build());
        assertThat(messages.get(2).toolCallId()).contains("c1");
    }

    @Test
    void consecutiveAssistantTextsWithoutCallsStaySeparate() {
        assertThat(messages("[{\"role\":\"assistant\",\"content\":\"A\"},{\"role\":\"assistant\","
                + "\"content\":\"B\"}]")).containsExactly(ChatMessage.text(Role.ASSISTANT, "A"),
                ChatMessage.text(Role.ASSISTANT, "B"));
    }

    @Test
    void reasoningWithoutAnAssistantMessageAfterItIsDropped() {
        List<ChatMessage> messages = messages("""
                [{"type":"reasoning","summary":[{"type":"summary_text","text":"Hmm"}]},
                 {"role":"user","content":"Hi"}]""");

        assertThat(messages).containsExactly(ChatMessage.text(Role.USER, "Hi"));
    }

    @Test
    void developerAndSystemMessagesAreSystemMessages() {
        assertThat(messages("[{\"role\":\"developer\",\"content\":\"Rules\"},{\"role\":\"system\",\"content\":"
                + "\"More\"}]")).extracting(ChatMessage::role).containsExactly(Role.SYSTEM, Role.SYSTEM);
    }

    @Test
    void imagesByUrlAreImageParts() {
        List<ChatMessage> messages = messages("[{\"role\":\"user\",\"content\":[{\"type\":\"input_text\","
                + "\"text\":\"What is it?\"},{\"type\":\"input_image\",\"image_url\":\"https://x/cat.png\","
                + "\"detail\":\"low\"}]}]");

        assertThat(messages.get(0).content()).containsExactly(ContentPart.text("What is it?"),
                new ContentPart.Image("https://x/cat.png", Optional.of("low"), Extensions.NONE));
    }

    @Test
    void imagesByFileIdAreRejected() {
        assertRejected("[{\"role\":\"user\",\"content\":[{\"type\":\"input_image\",\"file_id\":\"file-1\","
                + "\"detail\":\"auto\"}]}]", "input[0].content[0].image_url", "file-1");
    }

    @Test
    void filesAreChatCompletionsFileParts() {
        List<ChatMessage> messages = messages("[{\"role\":\"user\",\"content\":[{\"type\":\"input_file\","
                + "\"filename\":\"a.pdf\",\"file_data\":\"data:application/pdf;base64,AAAA\"}]}]");

        assertThat(messages.get(0).content()).containsExactly(ContentPart.other("file", RawJson.of(
                "{\"type\":\"file\",\"file\":{\"file_data\":\"data:application/pdf;base64,AAAA\","
                        + "\"filename\":\"a.pdf\"}}")));
    }

    @Test
    void filesByUrlAreRejected() {
        assertRejected("[{\"role\":\"user\",\"content\":[{\"type\":\"input_file\",\"file_url\":"
                + "\"https://x/secret.pdf\"}]}]", "input[0].content[0].file_url", "secret.pdf");
    }

    @Test
    void refusalsAreTheAssistantMessagesRefusal() {
        List<ChatMessage> messages = messages("[{\"role\":\"assistant\",\"content\":[{\"type\":\"refusal\","
                + "\"refusal\":\"I can't\"}]}]");

        assertThat(messages.get(0).refusal()).contains("I can't");
        assertThat(messages.get(0).content()).isEmpty();
    }

    @Test
    void refusalsInUserMessagesAreRejected() {
        assertRejected("[{\"role\":\"user\",\"content\":[{\"type\":\"refusal\",\"refusal\":\"no\"}]}]",
                "input[0].content[0].type", null);
    }

    @Test
    void functionCallOutputsMayBeContentParts() {
        List<ChatMessage> messages = messages("[{\"type\":\"function_call_output\",\"call_id\":\"c\",\"output\":"
                + "[{\"type\":\"input_text\",\"text\":\"done\"}]}]");

        assertThat(messages.get(0).content()).containsExactly(ContentPart.text("done"));
        assertThat(messages.get(0).toolCallId()).contains("c");
    }

    @Test
    void functionCallWithoutCallIdIsRejected() {
        assertRejected("[{\"type\":\"function_call\",\"name\":\"f\",\"arguments\":\"{}\"}]", "input[0].call_id",
                null);
    }

    @Test
    void functionCallOutputWithoutOutputIsRejected() {
        assertRejected("[{\"type\":\"function_call_output\",\"call_id\":\"c\"}]", "input[0].output", null);
    }

    @Test
    void itemReferencesAreRejectedClearly() {
        assertThatThrownBy(() -> messages("[{\"type\":\"item_reference\",\"id\":\"msg_1\"}]"))
                .isInstanceOfSatisfying(VeilException.class, e -> {
                    assertThat(e.param()).contains("input[0].type");
                    assertThat(e.getMessage()).contains("previous_response_id");
                });
    }

    @Test
    void unknownItemTypesAreRejectedWithoutRepeatingThem() {
        assertRejected("[{\"type\":\"secret_call\",\"id\":\"x\"}]", "input[0].type", "secret_call");
    }

    @Test
    void unknownRolesAreRejected() {
        assertRejected("[{\"role\":\"tool\",\"content\":\"x\"}]", "input[0].role", null);
    }

    @Test
    void unknownPartTypesAreRejected() {
        assertRejected("[{\"role\":\"user\",\"content\":[{\"type\":\"input_audio\"}]}]",
                "input[0].content[0].type", null);
    }

    @Test
    void contentOfAnotherKindIsRejectedWithoutRepeatingIt() {
        assertRejected("[{\"role\":\"user\",\"content\":{\"text\":\"my password\"}}]", "input[0].content",
                "my password");
    }

    @Test
    void itemsWithoutTypeOrRoleAreRejected() {
        assertRejected("[{\"content\":\"x\"}]", "input[0].type", null);
    }
}
