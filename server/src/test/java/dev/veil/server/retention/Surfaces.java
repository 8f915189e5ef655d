package dev.veil.server.retention;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.veil.server.testing.VeilUnderTest;

/** One prompt sent the four ways a client can: OpenAI or Anthropic wire, JSON or stream, with extra headers. */
final class Surfaces {
    private Surfaces() {
    }

    /** The prompt as each of the four requests, all for the alias {@code smart}. */
    static List<HttpRequest> all(VeilUnderTest veil, String prompt, Map<String, String> headers) {
        return List.of(openAi(veil, prompt, false, headers), openAi(veil, prompt, true, headers),
                anthropic(veil, prompt, false, headers), anthropic(veil, prompt, true, headers));
    }

    static HttpRequest openAi(VeilUnderTest veil, String prompt, boolean stream, Map<String, String> headers) {
        HttpRequest.Builder request = veil.request("/v1/chat/completions").POST(HttpRequest.BodyPublishers.ofString(
                "{\"model\":\"smart\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":\""
                        + prompt + "\"}]}"));
        headers.forEach(request::header);
        return request.build();
    }

    static HttpRequest anthropic(VeilUnderTest veil, String prompt, boolean stream, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(veil.baseUrl() + "/v1/messages"))
                .timeout(Duration.ofSeconds(30))
                .header("x-api-key", VeilUnderTest.MASTER_KEY)
                .header("anthropic-version", "2023-06-01")
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"smart\",\"max_tokens\":100,\"stream\":"
                        + stream + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}"));
        headers.forEach(request::header);
        return request.build();
    }

    /** Sends each request and returns the responses, bodies read to the end. */
    static List<HttpResponse<String>> send(VeilUnderTest veil, List<HttpRequest> requests) {
        return requests.stream().map(veil::send).toList();
    }
}
