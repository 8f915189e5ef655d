package dev.veil.server.api.responses;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.server.api.openai.ErrorResponder;
import dev.veil.server.codec.responses.ResponseIds;
import dev.veil.server.codec.translation.WireJson;
import dev.veil.server.conversations.StoredResponse;
import dev.veil.server.pipeline.Gateway;
import dev.veil.server.pipeline.RequestIds;
import dev.veil.server.pipeline.VeilHeaders;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.VeilException;
import dev.veil.spi.plugin.Caller;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The responses Veil keeps, for the tenant that made them: {@code GET /v1/responses/{id}},
 * {@code DELETE /v1/responses/{id}} and {@code GET /v1/responses/{id}/input_items} (paginated as OpenAI does:
 * {@code limit}, {@code order}, {@code after}, {@code before}). Another tenant's id is a 404, as an unknown one is:
 * whether it exists is not revealed.
 */
public final class StoredResponsesEndpoint {
    private static final Logger LOGGER = Logger.getLogger(StoredResponsesEndpoint.class.getName());
    private static final int DEFAULT_LIMIT = 20;
    private static final int MAX_LIMIT = 100;

    private final Gateway gateway;

    public StoredResponsesEndpoint(Gateway gateway) {
        this.gateway = gateway;
    }

    public void retrieve(ServerRequest request, ServerResponse response) {
        serve(request, response, stored -> stored.response());
    }

    public void inputItems(ServerRequest request, ServerResponse response) {
        serve(request, response, stored -> page(request, ConversationTurn.read(stored.inputItems())));
    }

    public void delete(ServerRequest request, ServerResponse response) {
        response.header(VeilHeaders.REQUEST_ID, RequestIds.next());
        try {
            Caller caller = authenticate(request);
            String id = id(request);
            if (!gateway.conversations().delete(caller.tenant(), id)) {
                throw notFound(id);
            }
            LOGGER.info(() -> "tenant " + caller.tenant() + " deleted a stored response (key " + caller.keyId() + ")");
            ObjectNode deleted = WireJson.MAPPER.createObjectNode().put("id", id).put("object", "response")
                    .put("deleted", true);
            response.header(HeaderValues.CONTENT_TYPE_JSON);
            response.send(WireJson.bytes(deleted));
        } catch (VeilException e) {
            ErrorResponder.send(response, e);
        }
    }

    @FunctionalInterface
    private interface View {
        byte[] of(StoredResponse stored);
    }

    private void serve(ServerRequest request, ServerResponse response, View view) {
        response.header(VeilHeaders.REQUEST_ID, RequestIds.next());
        try {
            Caller caller = authenticate(request);
            String id = id(request);
            StoredResponse stored = gateway.conversations().get(caller.tenant(), id).orElseThrow(() -> notFound(id));
            byte[] body = view.of(stored);
            response.header(HeaderValues.CONTENT_TYPE_JSON);
            response.send(body);
        } catch (VeilException e) {
            ErrorResponder.send(response, e);
        }
    }

    private Caller authenticate(ServerRequest request) {
        return gateway.authenticator().authenticate(request.headers().first(HeaderNames.AUTHORIZATION));
    }

    /** The path's id, refused before any lookup when it cannot be one of Veil's. */
    private static String id(ServerRequest request) {
        String id = request.path().pathParameters().get("id");
        if (!ResponseIds.valid(id)) {
            throw new VeilException(ErrorKind.NOT_FOUND, "No response with that id is kept for this key's tenant")
                    .withCode("not_found");
        }
        return id;
    }

    private static VeilException notFound(String id) {
        return new VeilException(ErrorKind.NOT_FOUND, "No response with id '" + id + "' is kept for this key's "
                + "tenant: it never existed, expired, was deleted, or belongs to another tenant").withCode("not_found");
    }

    /** One page of {@code items}, as OpenAI's list objects: newest first unless {@code order=asc}. */
    private static byte[] page(ServerRequest request, JsonNode items) {
        int limit = limit(request);
        String order = request.query().first("order").orElse("desc");
        if (!order.equals("asc") && !order.equals("desc")) {
            throw VeilException.invalidParam("order", "'order' must be asc or desc");
        }
        List<JsonNode> ordered = new ArrayList<>();
        items.forEach(ordered::add);
        if (order.equals("desc")) {
            ordered = ordered.reversed();
        }
        int from = position(ordered, request.query().first("after").asOptional(), "after").map(i -> i + 1).orElse(0);
        int to = position(ordered, request.query().first("before").asOptional(), "before").orElse(ordered.size());
        List<JsonNode> window = from >= to ? List.of() : ordered.subList(from, to);
        List<JsonNode> data = window.subList(0, Math.min(limit, window.size()));
        ObjectNode page = WireJson.MAPPER.createObjectNode().put("object", "list");
        ArrayNode array = page.putArray("data");
        data.forEach(array::add);
        if (data.isEmpty()) {
            page.putNull("first_id");
            page.putNull("last_id");
        } else {
            page.put("first_id", data.getFirst().path("id").asText());
            page.put("last_id", data.getLast().path("id").asText());
        }
        page.put("has_more", window.size() > data.size());
        return WireJson.bytes(page);
    }

    private static int limit(ServerRequest request) {
        Optional<String> limit = request.query().first("limit").asOptional();
        if (limit.isEmpty()) {
            return DEFAULT_LIMIT;
        }
        try {
            int value = Integer.parseInt(limit.get());
            if (value >= 1 && value <= MAX_LIMIT) {
                return value;
            }
        } catch (NumberFormatException e) {
            // answered below, as an out-of-range number is
        }
        throw VeilException.invalidParam("limit", "'limit' must be a whole number from 1 to " + MAX_LIMIT);
    }

    private static Optional<Integer> position(List<JsonNode> items, Optional<String> id, String param) {
        if (id.isEmpty()) {
            return Optional.empty();
        }
        for (int i = 0; i < items.size(); i++) {
            if (items.get(i).path("id").asText().equals(id.get())) {
                return Optional.of(i);
            }
        }
        throw VeilException.invalidParam(param, "'" + param + "' names no input item of this response");
    }

}
