package dev.veil.server.providers.openai;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import dev.veil.server.codec.openai.OpenAiDialect;

/**
 * Known servers that speak the OpenAI wire format, with where they listen by default, how they authenticate, which
 * environment variable usually holds their key, and how they deviate from OpenAI.
 */
public enum OpenAiPreset {
    MISTRAL("mistral", "https://api.mistral.ai/v1", true, "MISTRAL_API_KEY",
            // Mistral refuses unknown fields and names the seed random_seed; usage always ends its streams.
            new OpenAiDialect(true, true, false,
                    Set.of("user", "metadata", "store", "service_tier", "reasoning_effort", "logit_bias",
                            "logprobs", "top_logprobs"),
                    Map.of("seed", "random_seed"))),
    DEEPSEEK("deepseek", "https://api.deepseek.com/v1", true, "DEEPSEEK_API_KEY",
            new OpenAiDialect(true, true, true, Set.of("metadata", "store", "service_tier", "reasoning_effort"),
                    Map.of())),
    QWEN("qwen", "https://dashscope-intl.aliyuncs.com/compatible-mode/v1", true, "DASHSCOPE_API_KEY",
            new OpenAiDialect(true, true, true, Set.of("metadata", "store", "service_tier", "reasoning_effort"),
                    Map.of())),
    GROQ("groq", "https://api.groq.com/openai/v1", true, "GROQ_API_KEY",
            new OpenAiDialect(false, true, true, Set.of("metadata", "store"), Map.of())),
    TOGETHER("together", "https://api.together.xyz/v1", true, "TOGETHER_API_KEY",
            new OpenAiDialect(true, true, false, Set.of("metadata", "store", "service_tier"), Map.of())),
    FIREWORKS("fireworks", "https://api.fireworks.ai/inference/v1", true, "FIREWORKS_API_KEY",
            new OpenAiDialect(true, true, false, Set.of("metadata", "store", "service_tier"), Map.of())),
    XAI("xai", "https://api.x.ai/v1", true, "XAI_API_KEY",
            new OpenAiDialect(false, false, true, Set.of("metadata", "store", "service_tier"), Map.of())),
    OPENROUTER("openrouter", "https://openrouter.ai/api/v1", true, "OPENROUTER_API_KEY",
            new OpenAiDialect(true, false, false, Set.of("store", "service_tier"), Map.of())),
    OLLAMA("ollama", "http://127.0.0.1:11434/v1", false, "OLLAMA_API_KEY",
            new OpenAiDialect(true, true, true, Set.of("metadata", "store", "service_tier"), Map.of())),
    VLLM("vllm", "http://127.0.0.1:8000/v1", false, "VLLM_API_KEY",
            new OpenAiDialect(false, true, true, Set.of("metadata", "store", "service_tier"), Map.of())),
    /** Any other OpenAI-compatible server: base-url is required, the key optional. */
    NONE("none", null, false, null,
            new OpenAiDialect(true, true, true, Set.of("metadata", "store", "service_tier"), Map.of()));

    private final String configName;
    private final String defaultBaseUrl;
    private final boolean requiresKey;
    private final String keyVariable;
    private final OpenAiDialect dialect;

    OpenAiPreset(String configName, String defaultBaseUrl, boolean requiresKey, String keyVariable,
                 OpenAiDialect dialect) {
        this.configName = configName;
        this.defaultBaseUrl = defaultBaseUrl;
        this.requiresKey = requiresKey;
        this.keyVariable = keyVariable;
        this.dialect = dialect;
    }

    /** The preset's name in {@code veil.providers.<name>.preset}. */
    public String configName() {
        return configName;
    }

    /** Where the server listens unless configured otherwise. */
    public Optional<String> defaultBaseUrl() {
        return Optional.ofNullable(defaultBaseUrl);
    }

    public boolean requiresKey() {
        return requiresKey;
    }

    /** The environment variable that conventionally holds this server's key. */
    public Optional<String> keyVariable() {
        return Optional.ofNullable(keyVariable);
    }

    public OpenAiDialect dialect() {
        return dialect;
    }

    public static Optional<OpenAiPreset> fromConfigName(String name) {
        return Arrays.stream(values()).filter(preset -> preset.configName.equals(name)).findFirst();
    }

    public static String known() {
        return Arrays.stream(values()).map(OpenAiPreset::configName).collect(Collectors.joining(", "));
    }
}
