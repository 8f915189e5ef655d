package dev.veil.plugins.pii.detect.ner;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;

import dev.veil.plugins.pii.detect.Detector;
import dev.veil.plugins.pii.detect.Finding;

/**
 * Finds what a token-classification model tags as an entity that is mapped to a PII type ({@code PER} to
 * {@code PERSON}). A text is split into words and WordPiece tokens; the model reads windows of at most
 * {@code maxSequence} tokens ({@code [CLS]} and {@code [SEP]} included), each overlapping the next by a quarter so that
 * every word is judged with context on both sides, and a word takes the label of its first piece from the window in
 * which it sits furthest from the edge. Words whose label scores below {@code minScore} (softmax over the labels) are
 * nothing; consecutive words of one entity, the first tagged {@code B-} or not, make one finding from the start of
 * the first to the end of the last.
 *
 * <p>Each window is one costly check ({@link Detector#detect(String, List, Runnable)}), so {@code max-findings}
 * bounds the model runs one request causes, and an interrupt between windows (the plugin's timeout) ends the scan.
 * Nothing of the text is logged or kept.
 */
public final class NerDetector implements Detector, AutoCloseable {
    /** The longest run of placeholder characters looked through for the brackets of a placeholder. */
    private static final int MAX_PLACEHOLDER = 64;

    private final WordPieceTokenizer tokenizer;
    private final OnnxTokenClassifier model;
    private final Labels labels;
    /** The PII type of each entity that is mapped to one. */
    private final Map<String, String> types;
    /** Whether each label tags an entity that is mapped to a PII type. */
    private final boolean[] mapped;
    private final double minScore;
    private final int content;
    private final int overlap;
    private final int maxPieces;

    NerDetector(WordPieceTokenizer tokenizer, OnnxTokenClassifier model, Labels labels, Map<String, String> types,
            double minScore, int maxSequence) {
        this.tokenizer = tokenizer;
        this.model = model;
        this.labels = labels;
        this.types = Map.copyOf(types);
        this.mapped = new boolean[labels.size()];
        for (int label = 0; label < labels.size(); label++) {
            mapped[label] = labels.entity(label) != null && types.containsKey(labels.entity(label));
        }
        this.minScore = minScore;
        this.content = maxSequence - 2;
        this.overlap = content / 4;
        // Only a word's first piece is labelled; capping the rest keeps every window ahead of the one before it.
        this.maxPieces = content - overlap;
    }

    /** The PII types this detector reports. */
    public Set<String> types() {
        return Set.copyOf(types.values());
    }

    /**
     * How many WordPiece tokens the model reads for {@code text}, not counting each window's {@code [CLS]},
     * {@code [SEP]} and overlap: the unit its cost is given in.
     */
    public int tokens(String text) {
        WordPieceTokenizer.Tokens tokens = tokenizer.tokenize(text);
        int count = 0;
        for (int word = 0; word < tokens.words(); word++) {
            count += pieces(tokens, word);
        }
        return count;
    }

    @Override
    public void detect(String text, List<Finding> findings) {
        detect(text, findings, () -> {
        });
    }

    @Override
    public void detect(String text, List<Finding> findings, Runnable costlyCheck) {
        WordPieceTokenizer.Tokens tokens = tokenizer.tokenize(text);
        int words = tokens.words();
        if (words == 0) {
            return;
        }
        int[] wordLabel = new int[words];
        float[] wordScore = new float[words];
        int start = 0;
        int owned = 0;
        while (start < words) {
            int end = start;
            int used = 0;
            while (end < words && used + pieces(tokens, end) <= content) {
                used += pieces(tokens, end);
                end++;
            }
            int next = end;
            if (end < words) {
                int back = 0;
                while (next - 1 > start && back + pieces(tokens, next - 1) <= overlap) {
                    back += pieces(tokens, next - 1);
                    next--;
                }
            }
            int ownedEnd = end < words ? (next + end) / 2 : words;
            costlyCheck.run();
            if (Thread.currentThread().isInterrupted()) {
                throw new CancellationException("the NER scan was interrupted");
            }
            classify(tokens, start, end, used, owned, Math.max(owned, ownedEnd), wordLabel, wordScore);
            owned = Math.max(owned, ownedEnd);
            start = next;
        }
        decode(text, tokens, wordLabel, wordScore, findings);
    }

    private int pieces(WordPieceTokenizer.Tokens tokens, int word) {
        return Math.min(tokens.pieceCount(word), maxPieces);
    }

    /** Runs the model on words {@code [start, end)} and labels words {@code [ownFrom, ownTo)} from it. */
    private void classify(WordPieceTokenizer.Tokens tokens, int start, int end, int used, int ownFrom, int ownTo,
            int[] wordLabel, float[] wordScore) {
        long[] ids = new long[used + 2];
        int[] firstPosition = new int[end - start];
        int at = 0;
        ids[at++] = tokenizer.classifyId();
        for (int word = start; word < end; word++) {
            firstPosition[word - start] = at;
            int count = pieces(tokens, word);
            for (int piece = 0; piece < count; piece++) {
                ids[at++] = tokens.piece(word, piece);
            }
        }
        ids[at] = tokenizer.separateId();
        float[] logits = model.logits(ids);
        int count = labels.size();
        for (int word = ownFrom; word < ownTo; word++) {
            int offset = firstPosition[word - start] * count;
            int best = 0;
            float max = logits[offset];
            for (int label = 1; label < count; label++) {
                if (logits[offset + label] > max) {
                    max = logits[offset + label];
                    best = label;
                }
            }
            double sum = 0;
            for (int label = 0; label < count; label++) {
                sum += Math.exp(logits[offset + label] - max);
            }
            wordLabel[word] = best;
            wordScore[word] = (float) (1 / sum);
        }
    }

    private void decode(String text, WordPieceTokenizer.Tokens tokens, int[] wordLabel, float[] wordScore,
            List<Finding> findings) {
        String openEntity = null;
        int openStart = 0;
        int openEnd = 0;
        for (int word = 0; word < wordLabel.length; word++) {
            int label = wordLabel[word];
            boolean tagged = mapped[label] && wordScore[word] >= minScore;
            String entity = tagged ? labels.entity(label) : null;
            if (openEntity != null && (!openEntity.equals(entity) || labels.begins(label))) {
                add(text, openStart, openEnd, openEntity, findings);
                openEntity = null;
            }
            if (!tagged) {
                continue;
            }
            if (openEntity == null) {
                openEntity = entity;
                openStart = tokens.start(word);
            }
            openEnd = tokens.end(word);
        }
        if (openEntity != null) {
            add(text, openStart, openEnd, openEntity, findings);
        }
    }

    private void add(String text, int start, int end, String entity, List<Finding> findings) {
        if (!insidePlaceholder(text, start, end)) {
            findings.add(new Finding(start, end, types.get(entity)));
        }
    }

    /**
     * Whether the span lies inside a placeholder such as {@code <PERSON_1>}: in an answer, placeholders are still in
     * place when new personal data is looked for, and one must stay whole to be restored.
     */
    private static boolean insidePlaceholder(String text, int start, int end) {
        int before = start - 1;
        while (before >= 0 && start - before <= MAX_PLACEHOLDER && isPlaceholderChar(text.charAt(before))) {
            before--;
        }
        int after = end;
        while (after < text.length() && after - end <= MAX_PLACEHOLDER && isPlaceholderChar(text.charAt(after))) {
            after++;
        }
        boolean allPlaceholder = true;
        for (int i = start; i < end && allPlaceholder; i++) {
            allPlaceholder = isPlaceholderChar(text.charAt(i));
        }
        return allPlaceholder && before >= 0 && text.charAt(before) == '<' && after < text.length()
                && text.charAt(after) == '>';
    }

    private static boolean isPlaceholderChar(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    }

    @Override
    public void close() {
        model.close();
    }
}
