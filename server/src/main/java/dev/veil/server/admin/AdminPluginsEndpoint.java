package dev.veil.server.admin;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.veil.server.api.openai.ErrorResponder;
import dev.veil.server.pipeline.Gateway;
import dev.veil.server.pipeline.RequestIds;
import dev.veil.server.pipeline.VeilHeaders;
import dev.veil.server.plugins.AvailablePlugin;
import dev.veil.server.plugins.PluginChain;
import dev.veil.spi.VeilException;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code GET /admin/plugins}: every plugin Veil can load (name, version, SPI version, source JAR) and the configured
 * chain entries using it. Master key, an admin-scoped key or a token with role admin.
 */
public final class AdminPluginsEndpoint {
    private static final JsonFactory JSON = new JsonFactory();

    private final Gateway gateway;
    private final AdminHandlers handlers;

    public AdminPluginsEndpoint(Gateway gateway) {
        this.gateway = gateway;
        this.handlers = new AdminHandlers(gateway);
    }

    public void list(ServerRequest request, ServerResponse response) {
        response.header(VeilHeaders.REQUEST_ID, RequestIds.next());
        try {
            handlers.authenticate(request, Access.CONFIG);
            response.header(HeaderValues.CONTENT_TYPE_JSON);
            response.send(body(gateway.catalog().all(), gateway.plugins().plugins()));
        } catch (VeilException e) {
            ErrorResponder.send(response, e);
        }
    }

    private static byte[] body(List<AvailablePlugin> available, List<PluginChain.ConfiguredPlugin> chain) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("object", "list");
            g.writeArrayFieldStart("data");
            for (AvailablePlugin plugin : available) {
                g.writeStartObject();
                g.writeStringField("name", plugin.name());
                g.writeStringField("version", plugin.factory().version());
                g.writeNumberField("spi_version", plugin.factory().spiVersion());
                g.writeNumberField("spi_minor_version", plugin.factory().spiMinorVersion());
                g.writeStringField("source", plugin.source());
                g.writeArrayFieldStart("configured_as");
                for (PluginChain.ConfiguredPlugin configured : chain) {
                    if (configured.source() == plugin) {
                        g.writeString(configured.entry().key());
                    }
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
