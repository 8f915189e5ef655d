package dev.veil.server.wire;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.VeilException;

/** The server's one JSON configuration: parsing limits and the shared, thread-safe factory. */
public final class Json {
    /** Deep nesting is a denial-of-service vector, not a real chat request. */
    private static final int MAX_NESTING_DEPTH = 128;

    private static final StreamReadConstraints CONSTRAINTS = StreamReadConstraints.builder()
            .maxNestingDepth(MAX_NESTING_DEPTH)
            // Inline base64 images exceed Jackson's 20 MB default; veil.limits.max-request-bytes bounds it.
            .maxStringLength(Integer.MAX_VALUE)
            .build();

    // Duplicate keys are refused: two readers picking different duplicates is how policy checks get bypassed.
    static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(CONSTRAINTS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    static final ObjectMapper MAPPER = JsonMapper.builder(FACTORY)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /**
     * Provider answers: no policy reads them, so the duplicate-key guard buys nothing there, and it costs a hash set
     * per object in every streamed chunk. The reader is built once, so no call resolves the tree type again.
     */
    private static final ObjectReader UPSTREAM_TREE = JsonMapper.builder(upstreamFactory())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build()
            .readerFor(JsonNode.class);
    /**
     * Behind streaming parsers that read single values as trees mid-document, where more tokens must follow. Its own
     * factory: a factory's parsers use the first mapper built on it, and the one above refuses what follows a value.
     */
    private static final ObjectMapper UPSTREAM_VALUES = JsonMapper.builder(upstreamFactory()).build();

    private Json() {
    }

    private static JsonFactory upstreamFactory() {
        return JsonFactory.builder().streamReadConstraints(CONSTRAINTS).build();
    }

    /** The factory behind {@link #parseRequest}, for readers that need token positions rather than a tree. */
    public static JsonFactory factory() {
        return FACTORY;
    }

    /**
     * Parses a client's request body into a tree. Syntax errors become a 400 that says where the JSON broke, never
     * what it contained.
     */
    public static JsonNode parseRequest(byte[] body) {
        try {
            JsonNode node = body.length == 0 ? null : MAPPER.readTree(body);
            if (node == null || node.isMissingNode()) {
                throw new VeilException(ErrorKind.INVALID_REQUEST, "the request body is empty; send a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            JsonLocation location = e.getLocation();
            String where = location == null ? "" : " at line " + location.getLineNr() + ", column "
                    + location.getColumnNr();
            throw new VeilException(ErrorKind.INVALID_REQUEST, "the request body is not valid JSON" + where);
        } catch (IOException e) {
            throw new VeilException(ErrorKind.INVALID_REQUEST, "the request body could not be read");
        }
    }

    static JsonNode parseUpstream(byte[] body) throws IOException {
        return UPSTREAM_TREE.readTree(body);
    }

    /** A streaming parser over a provider's answer, under the same limits, able to read a value as a tree. */
    static JsonParser upstreamParser(byte[] body) throws IOException {
        return UPSTREAM_VALUES.createParser(body);
    }
}
