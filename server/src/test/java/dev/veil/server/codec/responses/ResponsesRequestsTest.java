package dev.veil.server.codec.responses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import dev.veil.spi.ChatMessage;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.RawJson;
import dev.veil.spi.ResponseFormat;
import dev.veil.spi.Role;
import dev.veil.spi.ToolChoice;
import dev.veil.spi.ToolDefinition;
import dev.veil.spi.VeilException;
import org.junit.jupiter.api.Test;

class ResponsesRequestsTest {
    static ResponsesCall parse(String json) {
        return ResponsesRequests.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    /** A 400 naming {@code param}, whose message never repeats the client's {@code secret}. */
    static void assertRejected(String json, String param, String secret) {
        assertThatThrownBy(() -> parse(json)).isInstanceOfSatisfying(VeilException.class, e -> {
            assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.param()).contains(param);
            if (secret != null) {
                assertThat(e.getMessage()).doesNotContain(secret);
            }
        });
    }

    @Test
    void stringInputIsOneUserMessage() {
        ResponsesCall call = parse("{\"model\":\"gpt-4.1\",\"input\":\"Hello there\"}");

        assertThat(call.request().model()).isEqualTo("gpt-4.1");
        assertThat(call.request().messages()).containsExactly(ChatMessage.text(Role.USER, "Hello there"));
        assertThat(call.input()).hasSize(1);
        assertThat(call.input().get(0).toString()).isEqualTo("{\"type\":\"message\",\"role\":\"user\",\"content\":"
                + "[{\"type\":\"input_text\",\"text\":\"Hello there\"}]}");
    }

    @Test
    void messageItemWithStringContentIsStoredWithContentParts() {
        ResponsesCall call = parse("{\"model\":\"m\",\"input\":[{\"role\":\"user\",\"content\":\"Hi\"},"
                + "{\"type\":\"message\",\"role\":\"assistant\",\"content\":\"Hello\"}]}");

        assertThat(call.input().get(0).toString()).isEqualTo("{\"type\":\"message\",\"role\":\"user\",\"content\":"
                + "[{\"type\":\"input_text\",\"text\":\"Hi\"}]}");
        assertThat(call.input().get(1).toString()).isEqualTo("{\"type\":\"message\",\"role\":\"assistant\","
                + "\"content\":[{\"type\":\"output_text\",\"text\":\"Hello\",\"annotations\":[]}]}");
    }

    @Test
    void instructionsAreALeadingSystemMessage() {
        ResponsesCall call = parse("{\"model\":\"m\",\"instructions\":\"Be brief.\",\"input\":\"Hi\"}");

        assertThat(call.instructions()).contains("Be brief.");
        assertThat(call.request().messages()).containsExactly(ChatMessage.text(Role.SYSTEM, "Be brief."),
                ChatMessage.text(Role.USER, "Hi"));
        assertThat(call.input()).hasSize(1);
    }

    @Test
    void functionToolsAreFlat() {
        ResponsesCall call = parse("{\"model\":\"m\",\"input\":\"x\",\"tools\":[{\"type\":\"function\","
                + "\"name\":\"get_weather\",\"description\":\"Weather\",\"parameters\":{\"type\":\"object\"},"
                + "\"strict\":true}]}");

        ToolDefinition tool = call.request().tools().get(0);
        assertThat(tool.isFunction()).isTrue();
        assertThat(tool.name()).isEqualTo("get_weather");
        assertThat(tool.description()).contains("Weather");
        assertThat(tool.parameters()).contains(RawJson.of("{\"type\":\"object\"}"));
        assertThat(tool.strict()).contains(true);
        assertThat(call.builtInTools()).isEmpty();
    }

    @Test
    void toolWithoutNameIsRejected() {
        assertRejected("{\"model\":\"m\",\"tools\":[{\"type\":\"function\"}]}", "tools[0].name", null);
    }

    @Test
    void toolParametersMustBeAnObject() {
        assertRejected("{\"model\":\"m\",\"tools\":[{\"type\":\"function\",\"name\":\"f\",\"parameters\":[]}]}",
                "tools[0].parameters", null);
    }

    @Test
    void hostedToolsAreListedAndKeptOutOfTheCanonicalTools() {
        ResponsesCall call = parse("{\"model\":\"m\",\"input\":\"x\",\"tools\":[{\"type\":\"web_search\"},"
                + "{\"type\":\"function\",\"name\":\"f\"}],\"tool_choice\":{\"type\":\"file_search\"}}");

        assertThat(call.builtInTools()).containsExactly("web_search", "file_search");
        assertThat(call.request().tools()).extracting(ToolDefinition::name).containsExactly("f");
        assertThat(call.request().toolChoice()).isEmpty();
        assertThat(call.echo().get("tools")).hasSize(2);
    }

    @Test
    void toolChoiceModesAndFunctionsAreRead() {
        assertThat(parse("{\"model\":\"m\",\"tool_choice\":\"required\"}").request().toolChoice())
                .contains(ToolChoice.mode("required"));
        assertThat(parse("{\"model\":\"m\",\"tool_choice\":{\"type\":\"function\",\"name\":\"f\"}}").request()
                .toolChoice()).contains(ToolChoice.function("f"));
    }

    @Test
    void toolChoiceOfAnUnknownModeIsRejected() {
        assertRejected("{\"model\":\"m\",\"tool_choice\":\"sometimes-secret\"}", "tool_choice", "sometimes-secret");
    }

    @Test
    void toolChoiceOfAllowedToolsIsRejected() {
        assertRejected("{\"model\":\"m\",\"tool_choice\":{\"type\":\"allowed_tools\",\"mode\":\"auto\","
                + "\"tools\":[]}}", "tool_choice.type", null);
    }

    @Test
    void parallelToolCallsIsRead() {
        assertThat(parse("{\"model\":\"m\",\"parallel_tool_calls\":false}").request().parallelToolCalls())
                .contains(false);
    }

    @Test
    void flatJsonSchemaFormatIsAResponseFormat() {
        ResponsesCall call = parse("{\"model\":\"m\",\"text\":{\"format\":{\"type\":\"json_schema\",\"name\":"
                + "\"person\",\"description\":\"A person\",\"schema\":{\"type\":\"object\"},\"strict\":true}}}");

        assertThat(call.request().responseFormat()).contains(new ResponseFormat.JsonSchema("person",
                java.util.Optional.of("A person"), java.util.Optional.of(RawJson.of("{\"type\":\"object\"}")),
                java.util.Optional.of(true)));
        assertThat(call.echo().get("text").get("format").get("name").asText()).isEqualTo("person");
    }

    @Test
    void textAndJsonObjectFormatsAreRead() {
        assertThat(parse("{\"model\":\"m\",\"text\":{\"format\":{\"type\":\"text\"}}}").request().responseFormat())
                .contains(ResponseFormat.text());
        assertThat(parse("{\"model\":\"m\",\"text\":{\"format\":{\"type\":\"json_object\"}}}").request()
                .responseFormat()).contains(ResponseFormat.jsonObject());
    }

    @Test
    void jsonSchemaFormatWithoutSchemaIsRejected() {
        assertRejected("{\"model\":\"m\",\"text\":{\"format\":{\"type\":\"json_schema\",\"name\":\"p\"}}}",
                "text.format.schema", null);
    }

    @Test
    void jsonSchemaFormatWithoutNameIsRejected() {
        assertRejected("{\"model\":\"m\",\"text\":{\"format\":{\"type\":\"json_schema\",\"schema\":{}}}}",
                "text.format.name", null);
    }

    @Test
    void unknownFormatTypeIsRejected() {
        assertRejected("{\"model\":\"m\",\"text\":{\"format\":{\"type\":\"yaml\"}}}", "text.format.type", null);
    }

    @Test
    void verbosityIsPassedOnUnderItsChatCompletionsName() {
        ResponsesCall call = parse("{\"model\":\"m\",\"text\":{\"verbosity\":\"low\"}}");

        assertThat(call.request().extensions().get("verbosity")).contains(RawJson.of("\"low\""));
        assertThat(call.echo().get("text").get("verbosity").asText()).isEqualTo("low");
    }

    @Test
    void unknownVerbosityIsRejected() {
        assertRejected("{\"model\":\"m\",\"text\":{\"verbosity\":\"loud\"}}", "text.verbosity", null);
    }

    @Test
    void reasoningEffortIsTheCanonicalReasoningEffort() {
        ResponsesCall call = parse("{\"model\":\"o4-mini\",\"reasoning\":{\"effort\":\"high\",\"summary\":\"auto\"}}");

        assertThat(call.request().reasoningEffort()).contains("high");
        assertThat(call.echo().get("reasoning").toString()).isEqualTo("{\"effort\":\"high\",\"summary\":\"auto\"}");
    }

    @Test
    void unknownReasoningEffortIsRejected() {
        assertRejected("{\"model\":\"m\",\"reasoning\":{\"effort\":\"extreme\"}}", "reasoning.effort", null);
    }

    @Test
    void unknownReasoningSummaryIsRejected() {
        assertRejected("{\"model\":\"m\",\"reasoning\":{\"summary\":\"long\"}}", "reasoning.summary", null);
    }

    @Test
    void maxOutputTokensIsTheCanonicalCompletionLimit() {
        ResponsesCall call = parse("{\"model\":\"m\",\"max_output_tokens\":256}");

        assertThat(call.request().sampling().maxCompletionTokens()).hasValue(256);
        assertThat(call.echo().get("max_output_tokens").asInt()).isEqualTo(256);
    }

    @Test
    void maxOutputTokensBelowOneIsRejected() {
        assertRejected("{\"model\":\"m\",\"max_output_tokens\":0}", "max_output_tokens", null);
    }

    @Test
    void temperatureAndTopPAreRead() {
        ResponsesCall call = parse("{\"model\":\"m\",\"temperature\":0.5,\"top_p\":0.9}");

        assertThat(call.request().sampling().temperature()).hasValue(0.5);
        assertThat(call.request().sampling().topP()).hasValue(0.9);
    }

    @Test
    void temperatureOutOfRangeIsRejected() {
        assertRejected("{\"model\":\"m\",\"temperature\":3}", "temperature", null);
    }

    @Test
    void topPOutOfRangeIsRejected() {
        assertRejected("{\"model\":\"m\",\"top_p\":1.5}", "top_p", null);
    }

    @Test
    void metadataUserAndStreamAreRead() {
        ResponsesCall call = parse("{\"model\":\"m\",\"metadata\":{\"ticket\":\"42\"},\"user\":\"u-1\","
                + "\"stream\":true}");

        assertThat(call.request().metadata()).isEqualTo(Map.of("ticket", "42"));
        assertThat(call.request().user()).contains("u-1");
        assertThat(call.request().stream()).isTrue();
        assertThat(call.echo().get("metadata").toString()).isEqualTo("{\"ticket\":\"42\"}");
    }

    @Test
    void metadataValuesMustBeStrings() {
        assertRejected("{\"model\":\"m\",\"metadata\":{\"n\":1}}", "metadata", null);
    }

    @Test
    void streamOptionsWithoutStreamIsRejected() {
        assertRejected("{\"model\":\"m\",\"stream_options\":{\"include_obfuscation\":false}}", "stream_options", null);
    }

    @Test
    void chatCompletionsNamedFieldsAndUnknownFieldsAreExtensions() {
        ResponsesCall call = parse("{\"model\":\"m\",\"service_tier\":\"flex\",\"prompt_cache_key\":\"k\","
                + "\"safety_identifier\":\"s\",\"x_vendor\":{\"a\":1}}");

        assertThat(call.request().extensions().fields()).containsOnlyKeys("service_tier", "prompt_cache_key",
                "safety_identifier", "x_vendor");
        assertThat(call.request().extensions().get("x_vendor")).contains(RawJson.of("{\"a\":1}"));
        assertThat(call.echo().get("service_tier").asText()).isEqualTo("flex");
    }

    @Test
    void responsesOnlyFieldsAreNotExtensions() {
        ResponsesCall call = parse("{\"model\":\"m\",\"store\":false,\"previous_response_id\":\"resp_1\","
                + "\"include\":[\"reasoning.encrypted_content\"],\"truncation\":\"auto\",\"top_logprobs\":2,"
                + "\"max_tool_calls\":3}");

        assertThat(call.request().extensions().isEmpty()).isTrue();
        assertThat(call.store()).isFalse();
        assertThat(call.previousResponseId()).contains("resp_1");
        assertThat(call.include()).containsExactly("reasoning.encrypted_content");
        assertThat(call.truncation()).contains("auto");
        assertThat(call.echo().get("top_logprobs").asInt()).isEqualTo(2);
        assertThat(call.echo().get("max_tool_calls").asInt()).isEqualTo(3);
    }

    @Test
    void storeDefaultsToTrue() {
        assertThat(parse("{\"model\":\"m\"}").store()).isTrue();
    }

    @Test
    void truncationOtherThanAutoOrDisabledIsRejected() {
        assertRejected("{\"model\":\"m\",\"truncation\":\"middle\"}", "truncation", null);
    }

    @Test
    void includeMustHoldStrings() {
        assertRejected("{\"model\":\"m\",\"include\":[1]}", "include[0]", null);
    }

    @Test
    void unknownServiceTierIsRejected() {
        assertRejected("{\"model\":\"m\",\"service_tier\":\"gold\"}", "service_tier", null);
    }

    @Test
    void echoFillsOpenAiDefaults() {
        ResponsesCall call = parse("{\"model\":\"m\",\"input\":\"x\"}");

        assertThat(call.echo().toString()).isEqualTo("{\"background\":false,\"instructions\":null,"
                + "\"max_output_tokens\":null,\"max_tool_calls\":null,\"parallel_tool_calls\":true,"
                + "\"previous_response_id\":null,\"prompt_cache_key\":null,\"reasoning\":{\"effort\":null,"
                + "\"summary\":null},\"safety_identifier\":null,\"service_tier\":\"auto\",\"store\":true,"
                + "\"temperature\":1.0,\"text\":{\"format\":{\"type\":\"text\"},\"verbosity\":\"medium\"},"
                + "\"tool_choice\":\"auto\",\"tools\":[],\"top_logprobs\":0,\"top_p\":1.0,"
                + "\"truncation\":\"disabled\",\"user\":null,\"metadata\":{}}");
    }

    @Test
    void backgroundModeIsRefused() {
        assertRejected("{\"model\":\"m\",\"background\":true}", "background", null);
    }

    @Test
    void storedPromptsAndConversationsAreRefused() {
        assertRejected("{\"model\":\"m\",\"prompt\":{\"id\":\"pmpt_1\"}}", "prompt", null);
        assertRejected("{\"model\":\"m\",\"conversation\":\"conv_1\"}", "conversation", null);
    }

    @Test
    void modelIsRequired() {
        assertRejected("{\"input\":\"x\"}", "model", null);
    }

    @Test
    void inputOfAnotherKindIsRejected() {
        assertRejected("{\"model\":\"m\",\"input\":42}", "input", null);
    }

    @Test
    void invalidJsonIsA400() {
        assertThatThrownBy(() -> parse("{\"model\":")).isInstanceOfSatisfying(VeilException.class,
                e -> assertThat(e.status()).isEqualTo(400));
    }

    @Test
    void requestsWithoutInputHaveNoMessages() {
        assertThat(parse("{\"model\":\"m\",\"previous_response_id\":\"resp_1\"}").request().messages()).isEmpty();
    }

    @Test
    void aPreviousResponseIdThatCannotBeAnIdIsRefusedWithoutQuotingIt() {
        assertRejected("{\"model\":\"m\",\"previous_response_id\":\"ana.lopez@example.com\"}", "previous_response_id",
                "ana.lopez@example.com");
    }
}
