package dev.veil.server.admin;

import java.net.URI;
import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.server.api.Routes;
import dev.veil.server.auth.Principal;
import dev.veil.server.auth.Role;
import dev.veil.server.config.ModelAlias;
import dev.veil.server.config.PluginEntry;
import dev.veil.server.config.ProviderConfig;
import dev.veil.server.config.VeilConfig;
import io.helidon.http.Method;
import io.helidon.webserver.http.ServerRequest;

/**
 * {@code GET /admin/config}: the running configuration as the console shows it, read only (config stays code: it is
 * changed in its file and reloaded, never over the API), without secrets: its revision, when it began to serve,
 * providers with region and zero-retention flag, model aliases with their targets, and the plugin chain. And
 * {@code GET /admin/whoami}: the caller's roles and tenant, so that the console shows only the pages they open.
 */
final class ConfigResource {
    private final AdminHandlers handlers;
    private final VeilConfig config;
    private final Instant loadedAt;

    /** @param loadedAt when this configuration began to serve */
    ConfigResource(AdminHandlers handlers, VeilConfig config, Instant loadedAt) {
        this.handlers = handlers;
        this.config = config;
        this.loadedAt = loadedAt;
    }

    void routes(Routes routes) {
        routes.local(Method.GET, "/admin/config", handlers.json(200, Access.READ, this::config))
                .local(Method.GET, "/admin/whoami", handlers.json(200, Access.READ, ConfigResource::whoami));
    }

    private JsonNode config(ServerRequest request, Authority authority) {
        ObjectNode out = AdminJson.object("config");
        out.put("revision", config.revision());
        out.put("loaded_at", loadedAt.toString());
        out.put("policy", config.opa().isPresent() ? "opa" : "off");
        out.put("audit", config.audit().isPresent());
        ArrayNode providers = out.putArray("providers");
        for (ProviderConfig provider : config.providers().values()) {
            ObjectNode row = providers.addObject();
            row.put("name", provider.name());
            row.put("kind", provider.kind().configName());
            provider.preset().ifPresent(preset -> row.put("preset", preset));
            provider.baseUrl().ifPresent(url -> row.put("base_url", withoutSecrets(url)));
            provider.region().ifPresent(region -> row.put("region", region));
            row.put("zero_retention", provider.zeroRetention());
            provider.models().forEach(row.putArray("models")::add);
        }
        ArrayNode models = out.putArray("models");
        for (ModelAlias alias : config.models().values()) {
            ObjectNode row = models.addObject();
            row.put("name", alias.name());
            ArrayNode targets = row.putArray("targets");
            alias.targets().forEach(target -> targets.addObject().put("provider", target.provider())
                    .put("model", target.model()).put("zero_retention", config.providers().containsKey(
                            target.provider()) && config.providers().get(target.provider()).zeroRetention()));
        }
        ArrayNode plugins = out.putArray("plugins");
        for (PluginEntry plugin : config.plugins()) {
            plugins.addObject().put("name", plugin.name()).put("fail_open", plugin.failOpen());
        }
        return out;
    }

    /** A provider URL as shown: scheme, host, port and path; user info and query may carry credentials. */
    private static String withoutSecrets(URI url) {
        return url.getScheme() + "://" + url.getHost() + (url.getPort() >= 0 ? ":" + url.getPort() : "")
                + (url.getRawPath() == null ? "" : url.getRawPath());
    }

    private static JsonNode whoami(ServerRequest request, Authority authority) {
        Principal principal = authority.principal();
        ObjectNode out = AdminJson.object("principal");
        out.put("source", principal.source().name().toLowerCase(java.util.Locale.ROOT));
        out.put("key_id", principal.caller().keyId());
        principal.caller().user().ifPresent(user -> out.put("user", user));
        authority.tenant().ifPresent(tenant -> out.put("tenant", tenant));
        ArrayNode roles = out.putArray("roles");
        principal.roles().stream().map(Role::configName).sorted().forEach(roles::add);
        return out;
    }
}
