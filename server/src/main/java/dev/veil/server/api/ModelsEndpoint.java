package dev.veil.server.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.veil.server.config.ModelAlias;
import dev.veil.server.providers.ProviderRegistry;
import dev.veil.server.wire.OpenAiWriter;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.VeilException;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code GET /v1/models} and {@code GET /v1/models/{model}}: the configured aliases (owned by {@code veil}), then each
 * provider's listed models as {@code provider/model}.
 */
public final class ModelsEndpoint {
    private final Gateway gateway;
    private final List<Map.Entry<String, String>> models;
    private final long created = System.currentTimeMillis() / 1000;

    public ModelsEndpoint(Gateway gateway) {
        this.gateway = gateway;
        List<Map.Entry<String, String>> listed = new ArrayList<>();
        for (ModelAlias alias : gateway.config().models().values()) {
            listed.add(Map.entry(alias.name(), "veil"));
        }
        for (ProviderRegistry.Provider provider : gateway.providers().all()) {
            for (String model : provider.adapter().models()) {
                listed.add(Map.entry(provider.config().name() + "/" + model, provider.config().name()));
            }
        }
        this.models = List.copyOf(listed);
    }

    public void list(ServerRequest request, ServerResponse response) {
        response.header(VeilHeaders.REQUEST_ID, RequestIds.next());
        try {
            gateway.authenticator().authenticate(request.headers().first(HeaderNames.AUTHORIZATION));
            response.header(HeaderValues.CONTENT_TYPE_JSON);
            response.send(OpenAiWriter.models(models, created));
        } catch (VeilException e) {
            ErrorResponder.send(response, e);
        }
    }

    public void retrieve(ServerRequest request, ServerResponse response) {
        response.header(VeilHeaders.REQUEST_ID, RequestIds.next());
        try {
            gateway.authenticator().authenticate(request.headers().first(HeaderNames.AUTHORIZATION));
            String id = request.path().pathParameters().get("model");
            Map.Entry<String, String> model = models.stream().filter(entry -> entry.getKey().equals(id)).findFirst()
                    .orElseThrow(() -> new VeilException(ErrorKind.NOT_FOUND, "The model '" + id + "' does not "
                            + "exist or is not configured in Veil").withCode("model_not_found"));
            response.header(HeaderValues.CONTENT_TYPE_JSON);
            response.send(OpenAiWriter.model(model.getKey(), model.getValue(), created));
        } catch (VeilException e) {
            ErrorResponder.send(response, e);
        }
    }
}
