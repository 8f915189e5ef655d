package dev.veil.plugins.pii.detect.ner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.veil.plugins.pii.detect.Detector;
import dev.veil.plugins.pii.detect.Finding;
import dev.veil.plugins.pii.detect.PersonNameDetector;
import dev.veil.plugins.pii.detect.PiiTypes;

class NerDetectorTest {
    private static NerDetector detector;

    @BeforeAll
    static void loadModel() {
        detector = TinyModel.detector(Map.of());
    }

    @AfterAll
    static void closeModel() {
        detector.close();
    }

    @Test
    void findsALowerCaseNameThatTheRulesMiss() {
        String text = "please call zorvath quillane tomorrow about the invoice";

        assertThat(found(new PersonNameDetector(), text)).isEmpty();
        assertThat(findings(detector, text)).containsExactly(new Finding(12, 28, PiiTypes.PERSON));
    }

    @Test
    void theFindingCoversTheWordsAsWrittenWithCaseAndAccents() {
        assertThat(found(detector, "Dear ZORVÁTH Quillane, thanks")).containsExactly("ZORVÁTH Quillane");
    }

    @Test
    void aBeginTagStartsAnotherPerson() {
        assertThat(found(detector, "zorvath ysolde")).containsExactly("zorvath", "ysolde");
    }

    @Test
    void anInsideTagAfterNothingStartsAPerson() {
        assertThat(found(detector, "ask quillane")).containsExactly("quillane");
    }

    @Test
    void aLabelBelowMinScoreIsNothing() {
        NerDetector lenient = TinyModel.detector(Map.of("min-score", "0.3"));
        try {
            assertThat(found(detector, "call vex today")).isEmpty();
            assertThat(found(lenient, "call vex today")).containsExactly("vex");
        } finally {
            lenient.close();
        }
    }

    @Test
    void entitiesNotMappedToATypeAreNotReported() {
        assertThat(found(detector, "veltrix office in brackwater")).isEmpty();
    }

    @Test
    void mappedEntitiesAreReportedAsTheirTypes() {
        NerDetector mapped = TinyModel.detector(Map.of("types", Map.of("PER", "PERSON", "LOC", "LOCATION",
                "ORG", "ORGANIZATION")));
        try {
            String text = "zorvath visited veltrix in brackwater";

            assertThat(mapped.types()).containsExactlyInAnyOrder("PERSON", "LOCATION", "ORGANIZATION");
            assertThat(findings(mapped, text)).containsExactly(new Finding(0, 7, "PERSON"),
                    new Finding(16, 23, "ORGANIZATION"), new Finding(27, 37, "LOCATION"));
        } finally {
            mapped.close();
        }
    }

    @Test
    void aModelWithoutTokenTypeIdsIsRunWithoutThem() {
        NerDetector distilled = TinyModel.detector(Map.of("model",
                TinyModel.file("model-without-token-types.onnx").toString()));
        try {
            assertThat(found(distilled, "call zorvath quillane")).containsExactly("zorvath quillane");
        } finally {
            distilled.close();
        }
    }

    @Test
    void aNameIsFoundWholeWhereverTheWindowsOfALongTextFall() {
        NerDetector narrow = TinyModel.detector(Map.of("max-sequence", "8"));
        try {
            for (int before = 0; before < 24; before++) {
                String text = "the ".repeat(before) + "zorvath quillane" + " and the report".repeat(6);

                assertThat(found(narrow, text)).as("after %d words", before).containsExactly("zorvath quillane");
            }
        } finally {
            narrow.close();
        }
    }

    @Test
    void narrowWindowsFindWhatOneWideWindowFinds() {
        NerDetector narrow = TinyModel.detector(Map.of("max-sequence", "8"));
        try {
            String text = "hi zorvath quillane, please call ysolde about brackwater; zorvath wrote to quillane. "
                    .repeat(30);

            assertThat(findings(narrow, text)).isEqualTo(findings(detector, text)).hasSize(120);
        } finally {
            narrow.close();
        }
    }

    @Test
    void eachModelRunIsACostlyCheckSoMaxFindingsBoundsTheRuns() {
        NerDetector narrow = TinyModel.detector(Map.of("max-sequence", "8"));
        try {
            String text = "please call the office about the report. ".repeat(20);
            int[] runs = new int[1];

            narrow.detect(text, new ArrayList<>(), () -> runs[0]++);

            // 160 words, at most 6 a window and each window back by one: about 32 windows.
            assertThat(runs[0]).isBetween(27, 40);
            assertThatThrownBy(() -> narrow.detect(text, new ArrayList<>(), () -> {
                throw new IllegalStateException("stopped");
            })).hasMessage("stopped");
        } finally {
            narrow.close();
        }
    }

    @Test
    void anInterruptedScanStopsBeforeTheNextModelRun() {
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> detector.detect("call zorvath", new ArrayList<>()))
                    .isInstanceOf(CancellationException.class);
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void aNameInsideAPlaceholderIsLeftWholeSoThatItCanBeRestored() {
        assertThat(found(detector, "thanks <ZOR_1>, and zorvath")).containsExactly("zorvath");
    }

    @Test
    void aClosedDetectorRefusesToScan() {
        NerDetector closed = TinyModel.detector(Map.of());
        closed.close();
        closed.close();

        assertThatThrownBy(() -> closed.detect("call zorvath", new ArrayList<>()))
                .isInstanceOf(IllegalStateException.class).hasMessage("the NER model is closed");
    }

    @Test
    void aTextWithoutWordsRunsNoModel() {
        int[] runs = new int[1];

        detector.detect(" \n\t ", new ArrayList<>(), () -> runs[0]++);

        assertThat(runs[0]).isZero();
    }

    private static List<Finding> findings(Detector detector, String text) {
        List<Finding> findings = new ArrayList<>();
        detector.detect(text, findings);
        return findings;
    }

    private static List<String> found(Detector detector, String text) {
        return findings(detector, text).stream()
                .map(finding -> text.substring(finding.start(), finding.end()))
                .toList();
    }
}
