package dev.veil.server.codec;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.VeilException;

/** The server's one JSON configuration: parsing limits and the shared, thread-safe factory. */
public final class Json {
    /** Deep nesting is a denial-of-service vector, not a real chat request. */
    private static final int MAX_NESTING_DEPTH = 128;

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private static final StreamReadConstraints CONSTRAINTS = StreamReadConstraints.builder()
            .maxNestingDepth(MAX_NESTING_DEPTH)
            // Inline base64 images exceed Jackson's 20 MB default; veil.limits.max-request-bytes bounds it.
            .maxStringLength(Integer.MAX_VALUE)
            .build();

    // Duplicate keys are refused: two readers picking different duplicates is how policy checks get bypassed.
    public static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(CONSTRAINTS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
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
     * what it contained. Numbers keep the text the client wrote ({@link ExactNumber}), so that a field Veil passes on
     * untouched reaches the provider exactly as sent.
     */
    public static JsonNode parseRequest(byte[] body) {
        try (JsonParser parser = FACTORY.createParser(body)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw new VeilException(ErrorKind.INVALID_REQUEST, "the request body is empty; send a JSON object");
            }
            JsonNode node = value(parser, first);
            if (parser.nextToken() != null) {
                throw notJson(parser.currentTokenLocation());
            }
            return node;
        } catch (JsonProcessingException e) {
            throw notJson(e.getLocation());
        } catch (IOException e) {
            throw new VeilException(ErrorKind.INVALID_REQUEST, "the request body could not be read");
        }
    }

    /** The value starting at {@code token}; the factory's limits bound its nesting, hence this recursion. */
    private static JsonNode value(JsonParser parser, JsonToken token) throws IOException {
        if (token == null) {
            throw new JsonParseException(parser, "unexpected end of input");
        }
        return switch (token) {
            case START_OBJECT -> {
                ObjectNode object = NODES.objectNode();
                for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
                    object.set(name, value(parser, parser.nextToken()));
                }
                yield object;
            }
            case START_ARRAY -> {
                ArrayNode array = NODES.arrayNode();
                for (JsonToken item = parser.nextToken(); item != JsonToken.END_ARRAY; item = parser.nextToken()) {
                    array.add(value(parser, item));
                }
                yield array;
            }
            case VALUE_STRING -> NODES.textNode(parser.getText());
            case VALUE_NUMBER_INT -> integer(parser);
            case VALUE_NUMBER_FLOAT -> new ExactNumber(DoubleNode.valueOf(parser.getDoubleValue()), parser.getText());
            case VALUE_TRUE -> BooleanNode.TRUE;
            case VALUE_FALSE -> BooleanNode.FALSE;
            case VALUE_NULL -> NullNode.getInstance();
            default -> throw new JsonParseException(parser, "unexpected token");
        };
    }

    /**
     * An integer as Jackson would hold it. A JSON integer has no leading zeros, so only {@code -0} reads back
     * differently; only it keeps its text, and no other integer pays for a string of its own.
     */
    private static JsonNode integer(JsonParser parser) throws IOException {
        return switch (parser.getNumberType()) {
            case INT -> {
                int value = parser.getIntValue();
                yield value == 0 && parser.getText().charAt(0) == '-' ? new ExactNumber(IntNode.valueOf(0), "-0")
                        : IntNode.valueOf(value);
            }
            case LONG -> LongNode.valueOf(parser.getLongValue());
            default -> BigIntegerNode.valueOf(parser.getBigIntegerValue());
        };
    }

    private static VeilException notJson(JsonLocation location) {
        String where = location == null ? "" : " at line " + location.getLineNr() + ", column "
                + location.getColumnNr();
        return new VeilException(ErrorKind.INVALID_REQUEST, "the request body is not valid JSON" + where);
    }

    public static JsonNode parseUpstream(byte[] body) throws IOException {
        return UPSTREAM_TREE.readTree(body);
    }

    /** A streaming parser over a provider's answer, under the same limits, able to read a value as a tree. */
    public static JsonParser upstreamParser(byte[] body) throws IOException {
        return UPSTREAM_VALUES.createParser(body);
    }
}
