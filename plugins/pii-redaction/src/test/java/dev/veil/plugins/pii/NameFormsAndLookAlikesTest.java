package dev.veil.plugins.pii;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.veil.spi.ChatMessage;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.Role;
import dev.veil.spi.plugin.PluginContext;
import dev.veil.spi.plugin.PluginSettings;
import dev.veil.spi.testing.TestExchange;

/**
 * The name forms and look-alikes that issue 21 names as missed and lost most, through the plugin's request and
 * decision phases with the default settings: the name must not reach the provider, the look-alike must.
 */
class NameFormsAndLookAlikesTest {
    @TempDir
    Path dataDir;

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
        "KUNDE: KARL-HEINZ BRÜHLMANN\\nKonto gesperrt.|KARL-HEINZ BRÜHLMANN",
        "chat log: hi, this is noémie le goff, my card was declined|noémie le goff",
        "Refund approved for O'DONOGHUE, Saoirse (ticket 4471).|O'DONOGHUE, Saoirse",
        "Signed off by G.C. Schouten on behalf of the board.|G.C. Schouten",
        "Please add Yolanda de los Santos as a second account holder.|Yolanda de los Santos",
        "{\"customer\": \"Dagny Sj\\u00f6berg\", \"note\": \"call back\"}|Sj\\u00f6berg"})
    void redactsTheNameFormsMissedMost(String text, String name) {
        assertThat(sent(text)).doesNotContain(name);
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
        "The fund moved 46 534 058 EUR into bonds last quarter.|46 534 058 EUR",
        "Goldman Sachs and Morgan Stanley led the offering.|Goldman Sachs",
        "We priced the option with a Monte Carlo simulation.|Monte Carlo simulation",
        "Release 10.4.22.1 fixes the login loop.|10.4.22.1",
        "Test IBAN DE89370400440532013001 fails its check digits.|DE89370400440532013001",
        "The card 4111 1111 1111 1112 fails the Luhn check.|4111 1111 1111 1112"})
    void keepsTheLookAlikesLostMost(String text, String lookAlike) {
        assertThat(sent(text)).contains(lookAlike);
    }

    /** {@code text} as the provider would receive it; a {@code \\n} in the source stands for a line break. */
    private String sent(String text) {
        PiiRedactionPlugin plugin = (PiiRedactionPlugin) new PiiRedactionFactory().create(new PluginSettings(
                "veil.plugins[0]", Map.of("hash-key", "0123456789abcdef")), new PluginContext() {
                    @Override
                    public String name() {
                        return "pii-redaction";
                    }

                    @Override
                    public System.Logger logger() {
                        return System.getLogger(NameFormsAndLookAlikesTest.class.getName());
                    }

                    @Override
                    public Path dataDir() {
                        return dataDir;
                    }
                });
        TestExchange exchange = new TestExchange();
        ChatRequest request = ChatRequest.of("m", List.of(ChatMessage.text(Role.USER, text.replace("\\n", "\n"))));
        return plugin.onDecision(plugin.onRequest(request, exchange), exchange).messages().get(0).text();
    }
}
