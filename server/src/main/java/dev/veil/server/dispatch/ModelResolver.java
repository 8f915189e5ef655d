package dev.veil.server.dispatch;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.veil.server.config.ModelAlias;
import dev.veil.server.config.TargetRef;
import dev.veil.server.providers.ProviderRegistry;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.VeilException;

/**
 * Turns the model name a client sent into the provider models that may answer, in order of preference:
 * a configured alias; then {@code provider/model} (split at the first slash, so model names may hold slashes);
 * then a well-known name prefix ({@code gpt-}, {@code claude-}, ...) whose provider is configured (the first of
 * that family by name when there are several).
 */
public final class ModelResolver {
    /** Name prefixes by the provider family that serves them; OpenAI's o-series names match only whole. */
    private static final List<Map.Entry<String, String>> PREFIXES = List.of(
            Map.entry("gpt-", "openai"), Map.entry("chatgpt-", "openai"), Map.entry("o1", "openai"),
            Map.entry("o3", "openai"), Map.entry("o4", "openai"), Map.entry("text-embedding-", "openai"),
            Map.entry("claude-", "anthropic"),
            Map.entry("gemini-", "gemini"),
            Map.entry("mistral-", "mistral"), Map.entry("ministral-", "mistral"), Map.entry("codestral-", "mistral"),
            Map.entry("magistral-", "mistral"), Map.entry("pixtral-", "mistral"), Map.entry("devstral-", "mistral"),
            Map.entry("open-mistral-", "mistral"), Map.entry("open-mixtral-", "mistral"),
            Map.entry("deepseek-", "deepseek"),
            Map.entry("qwen", "qwen"), Map.entry("qwq-", "qwen"), Map.entry("qvq-", "qwen"),
            Map.entry("grok-", "xai"));

    private final Map<String, ModelAlias> aliases;
    private final ProviderRegistry providers;

    public ModelResolver(Map<String, ModelAlias> aliases, ProviderRegistry providers) {
        this.aliases = aliases;
        this.providers = providers;
    }

    /** The candidates for {@code model}, never empty; an unknown model is a 404. */
    public List<TargetRef> resolve(String model) {
        return find(model).orElseThrow(() -> notFound(model));
    }

    /** The candidates for {@code model}, never empty, when it names any. */
    public Optional<List<TargetRef>> find(String model) {
        ModelAlias alias = aliases.get(model);
        if (alias != null) {
            return Optional.of(alias.targets());
        }
        int slash = model.indexOf('/');
        if (slash > 0 && slash < model.length() - 1) {
            String provider = model.substring(0, slash);
            if (providers.get(provider).isPresent()) {
                return Optional.of(List.of(new TargetRef(provider, model.substring(slash + 1))));
            }
        }
        Optional<String> family = familyOf(model);
        if (family.isPresent()) {
            List<TargetRef> candidates = new ArrayList<>(1);
            for (ProviderRegistry.Provider provider : providers.all()) {
                if (provider.family().equals(family.get())) {
                    candidates.add(new TargetRef(provider.config().name(), model));
                    break;
                }
            }
            if (!candidates.isEmpty()) {
                return Optional.of(candidates);
            }
        }
        return Optional.empty();
    }

    /** The 404 for a model name nothing resolves. */
    public static VeilException notFound(String model) {
        return new VeilException(ErrorKind.NOT_FOUND, "The model '" + model + "' does not exist or is not "
                + "configured in Veil; use an alias from GET /v1/models or provider/model").withCode("model_not_found");
    }

    private static Optional<String> familyOf(String model) {
        for (Map.Entry<String, String> prefix : PREFIXES) {
            String p = prefix.getKey();
            boolean series = p.length() == 2 && p.charAt(0) == 'o';
            if (model.startsWith(p) && (!series || model.length() == p.length() || model.charAt(p.length()) == '-')) {
                return Optional.of(prefix.getValue());
            }
        }
        return Optional.empty();
    }
}
