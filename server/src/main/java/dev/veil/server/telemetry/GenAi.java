package dev.veil.server.telemetry;

import java.util.List;
import java.util.Map;

import dev.veil.server.codec.ModelNames;
import io.opentelemetry.api.common.AttributeKey;

/**
 * The OpenTelemetry GenAI semantic-convention attributes Veil sets, and Veil's own. Only names, models, counts,
 * codes and ids: never prompt or answer text, personal data or keys.
 */
public final class GenAi {
    public static final AttributeKey<String> OPERATION = AttributeKey.stringKey("gen_ai.operation.name");
    public static final AttributeKey<String> PROVIDER = AttributeKey.stringKey("gen_ai.provider.name");
    public static final AttributeKey<String> REQUEST_MODEL = AttributeKey.stringKey("gen_ai.request.model");
    public static final AttributeKey<String> RESPONSE_MODEL = AttributeKey.stringKey("gen_ai.response.model");
    public static final AttributeKey<Long> INPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.input_tokens");
    public static final AttributeKey<Long> OUTPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.output_tokens");
    public static final AttributeKey<List<String>> FINISH_REASONS =
            AttributeKey.stringArrayKey("gen_ai.response.finish_reasons");
    public static final AttributeKey<String> TOKEN_TYPE = AttributeKey.stringKey("gen_ai.token.type");
    public static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    public static final AttributeKey<Long> HTTP_STATUS = AttributeKey.longKey("http.response.status_code");
    public static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
    public static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");

    public static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("veil.request_id");
    public static final AttributeKey<String> SURFACE = AttributeKey.stringKey("veil.surface");
    public static final AttributeKey<String> TENANT = AttributeKey.stringKey("veil.tenant");
    /** The user behind a token, as its issuer's config names it (a pseudonym where configured). */
    public static final AttributeKey<String> USER = AttributeKey.stringKey("veil.user");
    public static final AttributeKey<String> TARGET_PROVIDER = AttributeKey.stringKey("veil.provider");
    public static final AttributeKey<Long> ATTEMPTS = AttributeKey.longKey("veil.attempts");
    public static final AttributeKey<String> DECISION_ID = AttributeKey.stringKey("veil.policy.decision_id");
    public static final AttributeKey<String> CACHE = AttributeKey.stringKey("veil.cache");
    public static final AttributeKey<Long> REDACTIONS = AttributeKey.longKey("veil.pii.redactions");
    public static final AttributeKey<Boolean> ZERO_RETENTION = AttributeKey.booleanKey("veil.zero_retention");
    public static final AttributeKey<Double> COST = AttributeKey.doubleKey("veil.cost_usd");

    /** What telemetry records for a model name Veil does not know. */
    public static final String UNKNOWN_MODEL = "unknown";

    /** Provider kinds and compatible-server presets by the names the semantic conventions give them. */
    private static final Map<String, String> PROVIDER_NAMES = Map.ofEntries(
            Map.entry("openai", "openai"), Map.entry("azure-openai", "azure.ai.openai"),
            Map.entry("anthropic", "anthropic"), Map.entry("gemini", "gcp.gemini"),
            Map.entry("bedrock", "aws.bedrock"), Map.entry("mistral", "mistral_ai"),
            Map.entry("deepseek", "deepseek"), Map.entry("groq", "groq"), Map.entry("xai", "x_ai"),
            Map.entry("qwen", "qwen"), Map.entry("together", "together"), Map.entry("fireworks", "fireworks"),
            Map.entry("openrouter", "openrouter"), Map.entry("ollama", "ollama"), Map.entry("vllm", "vllm"),
            Map.entry("echo", "veil.echo"));

    private GenAi() {
    }

    /**
     * A model name as telemetry may record it: the name when it is {@code known} (an alias, or a model of a
     * configured provider) and a valid model name ({@link ModelNames}, so bounded and printable), else
     * {@value #UNKNOWN_MODEL}.
     */
    public static String model(String model, boolean known) {
        return known && ModelNames.valid(model) ? model : UNKNOWN_MODEL;
    }

    /** The semantic-convention name of a provider family (a kind, or a compatible server's preset). */
    public static String providerName(String family) {
        return PROVIDER_NAMES.getOrDefault(family, family);
    }
}
