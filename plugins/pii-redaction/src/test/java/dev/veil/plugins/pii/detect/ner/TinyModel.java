package dev.veil.plugins.pii.detect.ner;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import dev.veil.spi.plugin.PluginSettings;

/**
 * The tiny token-classification model of src/test/resources/ner, built by tools/build_tiny_ner_model.py (run it
 * again to regenerate the files). Its made-up words: "zorvath" begins a person and "quillane" goes on with one,
 * "ysolde" begins one, "vex" is a person with a probability of 0.39, "brackwater" a place, "veltrix" an organisation.
 */
public final class TinyModel {
    private TinyModel() {
    }

    public static Path file(String name) {
        try {
            return Path.of(TinyModel.class.getResource("/ner/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The {@code ner} settings of the tiny model, with {@code overrides} replacing or adding values. */
    public static Map<String, Object> settings(Map<String, Object> overrides) {
        Map<String, Object> values = new HashMap<>();
        values.put("model", file("model.onnx").toString());
        values.put("vocab", file("vocab.txt").toString());
        values.put("labels", file("config.json").toString());
        values.putAll(overrides);
        return values;
    }

    static NerDetector detector(Map<String, Object> overrides) {
        return NerSettings.detector(new PluginSettings("veil.plugins[0].ner", settings(overrides)));
    }
}
