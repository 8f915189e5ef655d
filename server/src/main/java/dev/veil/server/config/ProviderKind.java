package dev.veil.server.config;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** The wire family a provider speaks, as named by {@code veil.providers.<name>.kind}. */
public enum ProviderKind {
    OPENAI("openai"),
    AZURE_OPENAI("azure-openai"),
    OPENAI_COMPATIBLE("openai-compatible"),
    /** Anthropic's Messages API. */
    ANTHROPIC("anthropic"),
    /** Google's Gemini API (Generative Language). */
    GEMINI("gemini"),
    /** Amazon Bedrock's Converse API, signed with AWS Signature Version 4. */
    BEDROCK("bedrock"),
    /** Veil's built-in echo model: answers with the prompt, needs no network. */
    ECHO("echo");

    private final String configName;

    ProviderKind(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    static Optional<ProviderKind> fromConfigName(String name) {
        return Arrays.stream(values()).filter(kind -> kind.configName.equals(name)).findFirst();
    }

    static String known() {
        return Arrays.stream(values()).map(ProviderKind::configName).collect(Collectors.joining(", "));
    }
}
