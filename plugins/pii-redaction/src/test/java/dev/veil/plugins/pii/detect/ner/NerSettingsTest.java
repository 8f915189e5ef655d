package dev.veil.plugins.pii.detect.ner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.veil.spi.plugin.PluginConfigException;
import dev.veil.spi.plugin.PluginSettings;

class NerSettingsTest {
    @TempDir
    Path dir;

    @Test
    void aMissingModelFileNamesTheKeyAndSaysWhatToGive() {
        assertThatThrownBy(() -> TinyModel.detector(Map.of("model", dir.resolve("absent.onnx").toString())))
                .isInstanceOf(PluginConfigException.class)
                .hasMessageContaining("veil.plugins[0].ner.model")
                .hasMessageContaining("no readable file at " + dir.resolve("absent.onnx"))
                .hasMessageContaining("token-classification model exported to ONNX");
    }

    @Test
    void eachFileIsRequired() {
        for (String key : new String[] {"model", "vocab", "labels"}) {
            Map<String, Object> values = TinyModel.settings(Map.of());
            values.remove(key);

            assertThatThrownBy(() -> NerSettings.detector(new PluginSettings("veil.plugins[0].ner", values)))
                    .as(key).isInstanceOf(PluginConfigException.class)
                    .hasMessageContaining("veil.plugins[0].ner." + key + ": is required");
        }
    }

    @Test
    void aFileThatIsNoOnnxModelIsRefused() {
        assertThatThrownBy(() -> TinyModel.detector(Map.of("model", TinyModel.file("vocab.txt").toString())))
                .isInstanceOf(PluginConfigException.class)
                .hasMessageContaining("veil.plugins[0].ner.model")
                .hasMessageContaining("is not a model ONNX Runtime can load");
    }

    @Test
    void labelsThatDoNotMatchTheModelsOutputAreRefused() throws IOException {
        Path labels = Files.writeString(dir.resolve("labels.txt"), "O\nB-PER\nI-PER\n");

        assertThatThrownBy(() -> TinyModel.detector(Map.of("labels", labels.toString())))
                .isInstanceOf(PluginConfigException.class)
                .hasMessageContaining("veil.plugins[0].ner.model")
                .hasMessageContaining("scores 9 labels, but the labels file lists 3");
    }

    @Test
    void labelsMayBeATextFileInIdOrder() throws IOException {
        Path labels = Files.writeString(dir.resolve("labels.txt"),
                "O\nB-MISC\nI-MISC\nB-PER\nI-PER\nB-ORG\nI-ORG\nB-LOC\nI-LOC\n");

        try (NerDetector detector = TinyModel.detector(Map.of("labels", labels.toString()))) {
            assertThat(detector.types()).containsExactly("PERSON");
        }
    }

    @Test
    void aConfigWithoutId2LabelIsRefused() throws IOException {
        Path config = Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"bert\"}");

        assertThatThrownBy(() -> TinyModel.detector(Map.of("labels", config.toString())))
                .isInstanceOf(PluginConfigException.class)
                .hasMessageContaining("veil.plugins[0].ner.labels")
                .hasMessageContaining("has no id2label");
    }

    @Test
    void aBrokenConfigIsRefused() throws IOException {
        Path config = Files.writeString(dir.resolve("config.json"), "{\"id2label\": {\"0\": \"O\"");

        assertThatThrownBy(() -> TinyModel.detector(Map.of("labels", config.toString())))
                .isInstanceOf(PluginConfigException.class)
                .hasMessageContaining("veil.plugins[0].ner.labels")
                .hasMessageContaining("is not valid JSON");
    }

    @Test
    void aVocabularyWithoutSpecialTokensIsRefused() throws IOException {
        Path vocab = Files.writeString(dir.resolve("vocab.txt"), "call\nzor\n");

        assertThatThrownBy(() -> TinyModel.detector(Map.of("vocab", vocab.toString())))
                .isInstanceOf(PluginConfigException.class)
                .hasMessageContaining("veil.plugins[0].ner.vocab")
                .hasMessageContaining("has no [UNK] token");
    }

    @Test
    void typesMustNameEntitiesTheModelTags() {
        assertThatThrownBy(() -> TinyModel.detector(Map.of("types", Map.of("PERSONA", "PERSON"))))
                .isInstanceOf(PluginConfigException.class)
                .hasMessageContaining("veil.plugins[0].ner.types.PERSONA")
                .hasMessageContaining("[MISC, PER, ORG, LOC]");
    }

    @Test
    void typesMustBeTypeNames() {
        assertThatThrownBy(() -> TinyModel.detector(Map.of("types", Map.of("PER", "person"))))
                .isInstanceOf(PluginConfigException.class)
                .hasMessageContaining("veil.plugins[0].ner.types.PER");
    }

    @Test
    void minScoreIsAProbability() {
        for (String score : new String[] {"0", "1.5", "high"}) {
            assertThatThrownBy(() -> TinyModel.detector(Map.of("min-score", score)))
                    .as(score).isInstanceOf(PluginConfigException.class)
                    .hasMessageContaining("veil.plugins[0].ner.min-score");
        }
    }

    @Test
    void maxSequenceIsBoundedByWhatTheModelReads() throws IOException {
        Path config = Files.writeString(dir.resolve("config.json"), Files.readString(TinyModel.file("config.json"))
                .replace("\"model_type\"", "\"max_position_embeddings\": 128, \"model_type\""));

        assertThatThrownBy(() -> TinyModel.detector(Map.of("max-sequence", "4")))
                .isInstanceOf(PluginConfigException.class)
                .hasMessageContaining("veil.plugins[0].ner.max-sequence");
        assertThatThrownBy(() -> TinyModel.detector(Map.of("labels", config.toString())))
                .isInstanceOf(PluginConfigException.class)
                .hasMessageContaining("veil.plugins[0].ner.max-sequence: must be a whole number from 8 to 128");
    }

    @Test
    void unknownSettingsAreRefused() {
        assertThatThrownBy(() -> TinyModel.detector(Map.of("max-seq", "128")))
                .isInstanceOf(PluginConfigException.class)
                .hasMessageContaining("max-seq");
    }
}
