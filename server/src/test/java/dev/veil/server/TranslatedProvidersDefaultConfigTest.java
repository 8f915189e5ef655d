package dev.veil.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;

import dev.veil.server.config.ProviderKind;
import dev.veil.server.config.VeilConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The default config enables the providers Veil translates for when their usual key variable is set. */
class TranslatedProvidersDefaultConfigTest {
    private static final String OPA_URL = "http://127.0.0.1:8181";

    @TempDir
    Path dataDir;

    @Test
    void enablesAnthropicWhenItsKeyIsInTheEnvironment() {
        VeilConfig config = DefaultConfig.create(Map.of("VEIL_OPA_URL", OPA_URL, "VEIL_DATA_DIR",
                dataDir.toString(),
                "ANTHROPIC_API_KEY", "sk-ant-1")::get);

        assertThat(config.providers()).containsOnlyKeys("veil", "anthropic");
        assertThat(config.providers().get("anthropic").kind()).isEqualTo(ProviderKind.ANTHROPIC);
        assertThat(config.providers().get("anthropic").apiKey()).hasValueSatisfying(key ->
                assertThat(key.matches("sk-ant-1")).isTrue());
    }

    @Test
    void enablesGeminiWhenItsKeyIsInTheEnvironment() {
        VeilConfig config = DefaultConfig.create(Map.of("VEIL_OPA_URL", OPA_URL, "VEIL_DATA_DIR",
                dataDir.toString(),
                "GEMINI_API_KEY", "AIza-1")::get);

        assertThat(config.providers()).containsOnlyKeys("veil", "gemini");
        assertThat(config.providers().get("gemini").kind()).isEqualTo(ProviderKind.GEMINI);
    }
}
