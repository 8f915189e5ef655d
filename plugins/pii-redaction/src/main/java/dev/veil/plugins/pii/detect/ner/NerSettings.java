package dev.veil.plugins.pii.detect.ner;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Pattern;

import dev.veil.plugins.pii.detect.PiiTypes;
import dev.veil.spi.plugin.PluginConfigException;
import dev.veil.spi.plugin.PluginSettings;

/**
 * Reads the {@code ner} section of the plugin's settings and builds the detector, checking every file at startup:
 * <ul>
 *   <li>{@code model}: a token-classification model exported to ONNX (required);</li>
 *   <li>{@code vocab}: its WordPiece {@code vocab.txt} (required);</li>
 *   <li>{@code labels}: its {@code config.json} (labels from {@code id2label}), or a text file of its labels, one a
 *       line in id order (required);</li>
 *   <li>{@code types}: {@code ENTITY: TYPE}, the model's entities reported and as which PII type (default
 *       {@code PER: PERSON}, or {@code PERSON: PERSON});</li>
 *   <li>{@code min-score}: the least probability of a word's label for it to count (default 0.8);</li>
 *   <li>{@code max-sequence}: tokens per model run, {@code [CLS]} and {@code [SEP]} included (default 256);</li>
 *   <li>{@code threads}: threads one model run may use (default 1);</li>
 *   <li>{@code lower-case}: whether the model is uncased (default: read from the vocabulary).</li>
 * </ul>
 */
public final class NerSettings {
    /** The settings the {@code ner} section takes. */
    public static final Set<String> KEYS = Set.of("model", "vocab", "labels", "types", "min-score", "max-sequence",
            "threads", "lower-case");
    static final double DEFAULT_MIN_SCORE = 0.8;
    static final int DEFAULT_MAX_SEQUENCE = 256;
    private static final int MIN_SEQUENCE = 8;
    private static final int MAX_SEQUENCE = 4096;
    private static final int MAX_THREADS = 64;
    private static final Pattern TYPE_NAME = Pattern.compile("[A-Z][A-Z0-9_]*");
    private static final String SEE = " (see docs/pii.md, \"A model-based detector\")";

    private NerSettings() {
    }

    /**
     * The detector the section describes, its model loaded.
     *
     * @throws PluginConfigException naming the setting and the fix, when a file is missing or not what it should be
     */
    public static NerDetector detector(PluginSettings ner) {
        ner.rejectUnknown(KEYS);
        Path vocabFile = readableFile(ner, "vocab", "the WordPiece vocab.txt exported with the model");
        Path labelsFile = readableFile(ner, "labels", "the config.json exported with the model, or a text file "
                + "of its labels, one a line in id order");
        Path modelFile = readableFile(ner, "model", "a token-classification model exported to ONNX");
        Optional<Boolean> lowerCase = ner.string("lower-case").isPresent()
                ? Optional.of(ner.flag("lower-case", true)) : Optional.empty();
        WordPieceTokenizer tokenizer;
        try {
            tokenizer = WordPieceTokenizer.load(vocabFile, lowerCase);
        } catch (IOException | IllegalArgumentException e) {
            throw ner.invalid("vocab", vocabFile + " " + problem(e) + SEE);
        }
        Labels labels;
        OptionalInt maxPositions = OptionalInt.empty();
        try {
            String text = Files.readString(labelsFile, StandardCharsets.UTF_8);
            if (text.stripLeading().startsWith("{")) {
                Map<?, ?> config = JsonFile.parseObject(text);
                labels = Labels.ofConfig(config);
                maxPositions = Labels.maxPositions(config);
            } else {
                labels = Labels.ofLines(text.lines().toList());
            }
        } catch (IOException | IllegalArgumentException e) {
            throw ner.invalid("labels", labelsFile + " " + problem(e) + SEE);
        }
        Map<String, String> types = types(ner, labels);
        double minScore = minScore(ner);
        int maxSequence = maxSequence(ner, maxPositions);
        long threads = ner.integer("threads", 1);
        if (threads < 1 || threads > MAX_THREADS) {
            throw ner.invalid("threads", "must be a whole number from 1 to " + MAX_THREADS + ", got " + threads);
        }
        OnnxTokenClassifier model;
        try {
            model = OnnxTokenClassifier.load(modelFile, labels.size(), (int) threads);
        } catch (OnnxTokenClassifier.UnusableModelException e) {
            throw ner.invalid("model", modelFile + " " + e.getMessage() + SEE);
        }
        return new NerDetector(tokenizer, model, labels, types, minScore, maxSequence);
    }

    private static Path readableFile(PluginSettings ner, String name, String what) {
        if (ner.string(name).isEmpty()) {
            throw ner.invalid(name, "is required: the path of " + what + SEE);
        }
        Path file = Path.of(ner.requiredString(name).trim());
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw ner.invalid(name, "there is no readable file at " + file + "; give the path of " + what
                    + " (nothing is downloaded at run time)" + SEE);
        }
        return file;
    }

    private static Map<String, String> types(PluginSettings ner, Labels labels) {
        Set<String> entities = labels.entities();
        Map<String, String> types = new LinkedHashMap<>();
        Optional<PluginSettings> section = ner.section("types");
        if (section.isEmpty()) {
            for (String person : new String[] {"PER", "PERSON"}) {
                if (entities.contains(person)) {
                    types.put(person, PiiTypes.PERSON);
                    return types;
                }
            }
            throw ner.invalid("types", "is required for this model: its labels tag " + entities
                    + " and none is PER or PERSON; map the entities to report, such as {PER: PERSON}" + SEE);
        }
        for (String entity : section.get().keys()) {
            if (!entities.contains(entity)) {
                throw section.get().invalid(entity, "is not an entity the model tags; it tags " + entities);
            }
            String type = section.get().requiredString(entity).trim();
            if (!TYPE_NAME.matcher(type).matches()) {
                throw section.get().invalid(entity, "must be a PII type in upper case letters, digits and "
                        + "underscores, such as PERSON");
            }
            types.put(entity, type);
        }
        if (types.isEmpty()) {
            throw ner.invalid("types", "maps no entity; map at least one, such as {PER: PERSON}");
        }
        return types;
    }

    private static double minScore(PluginSettings ner) {
        String text = ner.string("min-score").orElse(String.valueOf(DEFAULT_MIN_SCORE)).trim();
        double score;
        try {
            score = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            score = Double.NaN;
        }
        if (!(score > 0 && score <= 1)) {
            throw ner.invalid("min-score", "must be a probability above 0 and at most 1, such as 0.8, got " + text);
        }
        return score;
    }

    private static int maxSequence(PluginSettings ner, OptionalInt maxPositions) {
        long max = ner.integer("max-sequence", DEFAULT_MAX_SEQUENCE);
        int limit = maxPositions.isPresent() ? Math.min(MAX_SEQUENCE, maxPositions.getAsInt()) : MAX_SEQUENCE;
        if (max < MIN_SEQUENCE || max > limit) {
            throw ner.invalid("max-sequence", "must be a whole number from " + MIN_SEQUENCE + " to " + limit
                    + (maxPositions.isPresent() ? " (the model's max_position_embeddings)" : "") + ", got " + max);
        }
        return (int) max;
    }

    private static String problem(Exception e) {
        return e instanceof IOException ? "cannot be read (" + e.getMessage() + ")" : e.getMessage();
    }
}
