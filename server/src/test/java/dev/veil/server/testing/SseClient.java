package dev.veil.server.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Reads a server-sent event stream from Veil incrementally, one {@code data} payload at a time. */
public final class SseClient implements AutoCloseable {
    private final HttpResponse<InputStream> response;
    private final BufferedReader reader;

    private SseClient(HttpResponse<InputStream> response) {
        this.response = response;
        this.reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
    }

    /** POSTs {@code json} with the master key and returns once the response headers arrived. */
    public static SseClient post(VeilUnderTest veil, String path, String json) throws IOException,
            InterruptedException {
        HttpRequest request = veil.request(path).POST(HttpRequest.BodyPublishers.ofString(json)).build();
        return new SseClient(veil.client().send(request, HttpResponse.BodyHandlers.ofInputStream()));
    }

    /** Sends {@code request} and returns once the response headers arrived. */
    public static SseClient send(VeilUnderTest veil, HttpRequest request) throws IOException, InterruptedException {
        return new SseClient(veil.client().send(request, HttpResponse.BodyHandlers.ofInputStream()));
    }

    public HttpResponse<InputStream> response() {
        return response;
    }

    /** The next event's data, or {@code null} when the stream ended. */
    public String next() throws IOException {
        StringBuilder data = null;
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
            if (line.isEmpty()) {
                if (data != null) {
                    return data.toString();
                }
            } else if (line.startsWith("data:")) {
                String value = line.substring(line.startsWith("data: ") ? 6 : 5);
                data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
            }
        }
        return data == null ? null : data.toString();
    }

    /** Every remaining event's data, in order. */
    public List<String> rest() throws IOException {
        List<String> events = new ArrayList<>();
        for (String event = next(); event != null; event = next()) {
            events.add(event);
        }
        return events;
    }

    @Override
    public void close() throws IOException {
        response.body().close();
    }
}
