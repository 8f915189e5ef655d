package dev.veil.server.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One configured upstream provider, from {@code veil.providers.<name>}.
 *
 * @param name the provider's name, the prefix of {@code provider/model} model names
 * @param kind the wire family it speaks
 * @param preset for {@code openai-compatible}: the known server it is (base URL, auth, quirks)
 * @param baseUrl where it listens; when empty the kind's or preset's default applies
 * @param apiKey its credential
 * @param region where it processes data, for policy
 * @param zeroRetention whether it keeps no prompts or answers, for policy
 * @param models the models it serves, listed by {@code GET /v1/models}
 * @param headers extra headers sent with every request
 * @param apiVersion Azure OpenAI's {@code api-version}
 * @param deployments Azure OpenAI: model name to deployment name
 * @param readTimeout how long to wait for the next bytes of an answer
 * @param anthropicVersion Anthropic's {@code anthropic-version} header
 * @param anthropicBeta Anthropic's {@code anthropic-beta} header (comma-separated beta names)
 * @param awsAccessKeyId Bedrock: the AWS access key id
 * @param awsSecretAccessKey Bedrock: the AWS secret access key
 * @param awsSessionToken Bedrock: the session token of temporary AWS credentials
 */
public record ProviderConfig(
        String name,
        ProviderKind kind,
        Optional<String> preset,
        Optional<URI> baseUrl,
        Optional<Secret> apiKey,
        Optional<String> region,
        boolean zeroRetention,
        List<String> models,
        Map<String, String> headers,
        Optional<String> apiVersion,
        Map<String, String> deployments,
        Duration readTimeout,
        Optional<String> anthropicVersion,
        Optional<String> anthropicBeta,
        Optional<Secret> awsAccessKeyId,
        Optional<Secret> awsSecretAccessKey,
        Optional<Secret> awsSessionToken) {

    private static final Set<String> KEYS = Set.of("kind", "preset", "base-url", "api-key", "region",
            "zero-retention", "models", "headers", "api-version", "deployments", "read-timeout",
            "anthropic-version", "anthropic-beta", "aws-access-key-id", "aws-secret-access-key", "aws-session-token");

    public ProviderConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        models = List.copyOf(models);
        headers = Map.copyOf(headers);
        deployments = Map.copyOf(deployments);
    }

    /**
     * {@code veil.providers.<name>}. Whether the kind's required settings are there is checked when the provider is
     * built, where the kind's rules live.
     *
     * @param readTimeout the read timeout unless the provider sets its own ({@code veil.upstream.read-timeout})
     */
    static ProviderConfig from(ConfigReader node, Duration readTimeout) {
        if (!node.name().matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw node.invalid("provider names may hold letters, digits, '.', '_' and '-' only");
        }
        node.rejectUnknown(KEYS);
        String kindName = node.string("kind").orElseThrow(() -> node.invalid("kind",
                "missing; use one of " + ProviderKind.known()));
        ProviderKind kind = ProviderKind.fromConfigName(kindName).orElseThrow(() -> node.invalid("kind",
                "unknown kind '" + kindName + "'; use one of " + ProviderKind.known()));
        Optional<URI> baseUrl = node.url("base-url");
        return new ProviderConfig(node.name(), kind,
                node.string("preset"),
                baseUrl,
                secret(node, "api-key"),
                node.string("region"),
                node.bool("zero-retention").orElse(false),
                node.strings("models"),
                node.stringMap("headers"),
                node.string("api-version"),
                node.stringMap("deployments"),
                node.duration("read-timeout").orElse(readTimeout),
                node.string("anthropic-version"),
                node.string("anthropic-beta"),
                secret(node, "aws-access-key-id"),
                secret(node, "aws-secret-access-key"),
                secret(node, "aws-session-token"));
    }

    /** A credential; a blank one, as an unset {@code ${VAR:-}} gives, counts as none. */
    private static Optional<Secret> secret(ConfigReader node, String setting) {
        return node.string(setting).filter(value -> !value.isBlank()).map(Secret::new);
    }

    /** The config key of one of this provider's settings, for error messages. */
    public String key(String setting) {
        return "veil.providers." + name + "." + setting;
    }
}
