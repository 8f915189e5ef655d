package dev.veil.plugins.pii;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OutputScanTest {
    @Test
    void streamedTextWaitsOnlyForTheSentenceInProgress() {
        assertThat(OutputScan.pendingFrom("Done. Call me at +1 415")).isEqualTo(6);
        assertThat(OutputScan.pendingFrom("line one\nline tw")).isEqualTo(9);
    }

    @Test
    void aFinishedSentenceGoesOutWhole() {
        assertThat(OutputScan.pendingFrom("All done. ")).isEqualTo(10);
    }

    @Test
    void aLongSentenceGoesOutUpToItsLastSpace() {
        String longRun = "word ".repeat(300) + "tail";
        assertThat(OutputScan.pendingFrom(longRun)).isEqualTo(longRun.length() - 4);
    }
}
