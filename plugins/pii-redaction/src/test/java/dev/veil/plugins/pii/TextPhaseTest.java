package dev.veil.plugins.pii;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.veil.spi.VeilException;
import dev.veil.spi.plugin.Pseudonyms;
import dev.veil.spi.plugin.PseudonymizedText;

/** Texts tools return through the MCP gateway, pseudonymized from and into the conversation's placeholders. */
class TextPhaseTest {
    private final PiiRedactionPlugin plugin = plugin(Map.of("EMAIL", RedactionMode.MASK), 100);

    @Test
    void findingsBecomePlaceholdersCountedByType() {
        PseudonymizedText done = plugin.pseudonymize("Alice Smith, ann@example.com", Pseudonyms.NONE);

        assertThat(done.text()).isEqualTo("<PERSON_1>, <EMAIL_1>");
        assertThat(done.findings().counts()).containsEntry("PERSON", 1).containsEntry("EMAIL", 1);
        assertThat(done.pseudonyms().original("<EMAIL_1>")).hasValue("ann@example.com");
    }

    @Test
    void aKnownValueKeepsItsPlaceholderAndANewOneIsNumberedAfter() {
        Pseudonyms known = Pseudonyms.of(Map.of("<PERSON_1>", "Alice Smith"));

        PseudonymizedText done = plugin.pseudonymize("Bob Jones and Alice Smith", known);

        assertThat(done.text()).isEqualTo("<PERSON_2> and <PERSON_1>");
        assertThat(done.pseudonyms().size()).isEqualTo(2);
    }

    @Test
    void aMaskModeStillGivesAPlaceholderForTheGatewayToRestore() {
        assertThat(plugin.pseudonymize("ann@example.com", Pseudonyms.NONE).text()).isEqualTo("<EMAIL_1>");
    }

    @Test
    void textBeyondTheFindingsLimitIsRefused() {
        PiiRedactionPlugin limited = plugin(Map.of(), 1);

        assertThatThrownBy(() -> limited.pseudonymize("a@example.com b@example.com", Pseudonyms.NONE))
                .isInstanceOf(VeilException.class);
    }

    private static PiiRedactionPlugin plugin(Map<String, RedactionMode> modes, int maxFindings) {
        return new PiiRedactionPlugin(new PiiScanner(List.of(RegexDetector.EMAIL, RegexDetector.PERSON)),
                Set.of("EMAIL", "PERSON"), new RedactionModes(modes, RedactionMode.PSEUDONYMIZE),
                new KeyedHasher("0123456789abcdef".getBytes(StandardCharsets.UTF_8)), false,
                new FindingsLimit(maxFindings, "veil.plugins[0].max-findings"));
    }
}
