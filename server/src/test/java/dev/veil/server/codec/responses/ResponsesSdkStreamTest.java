package dev.veil.server.codec.responses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.SseException;
import com.openai.helpers.ResponseAccumulator;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseStreamEvent;
import com.sun.net.httpserver.HttpServer;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.FinishReason;
import dev.veil.spi.VeilException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The stream writer's frames served over HTTP to the official openai-java client, which must read a finished stream
 * and raise on a failed one.
 */
class ResponsesSdkStreamTest {
    private HttpServer server;
    private OpenAIClient client;

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.stop(0);
        }
    }

    private void serve(List<byte[]> frames) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/responses", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                for (byte[] frame : frames) {
                    out.write(frame);
                    out.flush();
                }
            }
        });
        server.start();
        client = OpenAIOkHttpClient.builder()
                .baseUrl("http://127.0.0.1:" + server.getAddress().getPort() + "/v1")
                .apiKey("sk-test")
                .maxRetries(0)
                .build();
    }

    private List<ResponseStreamEvent> consume() {
        List<ResponseStreamEvent> events = new ArrayList<>();
        ResponseCreateParams params = ResponseCreateParams.builder().model("gpt-4.1").input("Hi").build();
        try (StreamResponse<ResponseStreamEvent> stream = client.responses().createStreaming(params)) {
            stream.stream().forEach(events::add);
        }
        return events;
    }

    @Test
    void theSdkReadsAFinishedStream() throws IOException {
        serve(ResponsesStreamWriterTest.stream(ResponsesStreamWriterTest.text("Hello"),
                ResponsesStreamWriterTest.text(" world"), ResponsesStreamWriterTest.finish(FinishReason.STOP),
                ResponsesStreamWriterTest.usage()));

        ResponseAccumulator accumulator = ResponseAccumulator.create();
        consume().forEach(accumulator::accumulate);

        assertThat(accumulator.response().output().get(0).message().orElseThrow().content().get(0).asOutputText()
                .text()).isEqualTo("Hello world");
    }

    @Test
    void theSdkRaisesOnAStreamThatFailed() throws IOException {
        ResponsesStreamWriter writer = new ResponsesStreamWriter(ResponsesWriterTest.head("{\"model\":\"m\"}"));
        List<byte[]> frames = new ArrayList<>(writer.onChunk(ResponsesStreamWriterTest.text("Hel")));
        frames.add(writer.failed(new VeilException(ErrorKind.UPSTREAM, "the provider failed")));
        serve(frames);

        assertThatThrownBy(this::consume).isInstanceOf(SseException.class).hasMessageContaining("the provider failed");
    }
}
