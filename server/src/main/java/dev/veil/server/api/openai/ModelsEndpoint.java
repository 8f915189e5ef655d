package dev.veil.server.api.openai;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.veil.server.auth.Principal;
import dev.veil.server.codec.openai.OpenAiWriter;
import dev.veil.server.config.ModelAlias;
import dev.veil.server.pipeline.Gateway;
import dev.veil.server.pipeline.RequestIds;
import dev.veil.server.pipeline.VeilHeaders;
import dev.veil.server.providers.ProviderRegistry;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.VeilException;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code GET /v1/models} and {@code GET /v1/models/{model}}: the configured aliases (owned by {@code veil}), then each
 * provider's models as {@code provider/model} — only those the caller's key may use, so a key never learns of models
 * it would be refused. Providers are asked in parallel, so one slow provider costs one
 * timeout, not one per provider.
 */
public final class ModelsEndpoint {
    private final Gateway gateway;
    private final long created;

    public ModelsEndpoint(Gateway gateway) {
        this.gateway = gateway;
        this.created = gateway.clocks().wall().instant().getEpochSecond();
    }

    public void list(ServerRequest request, ServerResponse response) {
        response.header(VeilHeaders.REQUEST_ID, RequestIds.next());
        try {
            Principal caller = gateway.authenticator().principal(request.headers().first(HeaderNames.AUTHORIZATION));
            response.header(HeaderValues.CONTENT_TYPE_JSON);
            response.send(OpenAiWriter.models(models(caller), created));
        } catch (VeilException e) {
            ErrorResponder.send(response, e);
        }
    }

    public void retrieve(ServerRequest request, ServerResponse response) {
        response.header(VeilHeaders.REQUEST_ID, RequestIds.next());
        try {
            Principal caller = gateway.authenticator().principal(request.headers().first(HeaderNames.AUTHORIZATION));
            String id = request.path().pathParameters().get("model");
            Map.Entry<String, String> model = models(caller).stream().filter(entry -> entry.getKey().equals(id))
                    .findFirst()
                    .orElseThrow(() -> new VeilException(ErrorKind.NOT_FOUND, "The model '" + id + "' does not "
                            + "exist or is not configured in Veil").withCode("model_not_found"));
            response.header(HeaderValues.CONTENT_TYPE_JSON);
            response.send(OpenAiWriter.model(model.getKey(), model.getValue(), created));
        } catch (VeilException e) {
            ErrorResponder.send(response, e);
        }
    }

    /** The models {@code caller}'s key (or token) may use, as {@link #models()} lists them. */
    private List<Map.Entry<String, String>> models(Principal caller) {
        return models().stream().filter(model -> caller.source() == Principal.Source.JWT
                ? caller.mayUse(model.getKey(), gateway.resolver().find(model.getKey()))
                : gateway.metering().mayUse(caller.caller(), model.getKey())).toList();
    }

    /** Model ids with their owners, aliases first, then each provider's, ordered by name. */
    private List<Map.Entry<String, String>> models() {
        List<Map.Entry<String, String>> listed = new ArrayList<>();
        for (ModelAlias alias : gateway.config().models().values()) {
            listed.add(Map.entry(alias.name(), "veil"));
        }
        List<ProviderRegistry.Provider> providers = new ArrayList<>();
        gateway.providers().all().forEach(providers::add);
        try (ExecutorService askers = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<List<String>>> answers = new ArrayList<>(providers.size());
            for (ProviderRegistry.Provider provider : providers) {
                answers.add(askers.submit(() -> provider.adapter().models()));
            }
            for (int i = 0; i < providers.size(); i++) {
                String name = providers.get(i).config().name();
                for (String model : answers.get(i).get()) {
                    listed.add(Map.entry(name + "/" + model, name));
                }
            }
        } catch (ExecutionException e) {
            throw new VeilException(ErrorKind.INTERNAL, "listing provider models failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VeilException(ErrorKind.UNAVAILABLE, "interrupted while listing models", e);
        }
        return listed;
    }
}
