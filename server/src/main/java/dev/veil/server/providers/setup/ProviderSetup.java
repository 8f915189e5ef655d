package dev.veil.server.providers.setup;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

import dev.veil.server.config.ConfigException;
import dev.veil.server.config.ProviderConfig;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;

/** What every adapter reads from its provider's config the same way: the API key, the base URL, the headers. */
public final class ProviderSetup {
    private ProviderSetup() {
    }

    /** The configured API key; a missing one stops startup, naming the environment variable it usually comes from. */
    public static String apiKey(ProviderConfig config, String variable) {
        return config.apiKey().orElseThrow(() -> new ConfigException(config.key("api-key"),
                "missing; set it, for example api-key: \"${" + variable + "}\"")).reveal();
    }

    /** The configured base URL, else {@code defaultUrl}, without a trailing {@code /}. */
    public static String baseUrl(ProviderConfig config, String defaultUrl) {
        String base = config.baseUrl().map(URI::toString).orElse(defaultUrl);
        return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    /** The configured extra headers, then {@code more} (credentials among them), built once per provider. */
    public static List<Header> headers(ProviderConfig config, Header... more) {
        List<Header> headers = new ArrayList<>();
        config.headers().forEach((name, value) -> headers.add(HeaderValues.createCached(name, value)));
        headers.addAll(List.of(more));
        return List.copyOf(headers);
    }

    /** A credential header, marked sensitive so that Helidon masks it wherever it renders headers. */
    public static Header credential(String name, String value) {
        return HeaderValues.create(HeaderNames.create(name), false, true, value);
    }
}
