package dev.veil.plugins.pii.detect.ner;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * BERT's tokenizer, as Hugging Face's {@code BertTokenizerFast} reads a text: the normalizer and pre-tokenizer
 * (control and format characters dropped, whitespace splits, each punctuation mark and each CJK ideograph a word of its own, lower case and accents
 * stripped for an uncased vocabulary), then WordPiece (greedy longest match, {@code ##} before a word's later pieces,
 * {@code [UNK]} for a word that cannot be spelt or is longer than 100 characters).
 *
 * <p>Words keep where they are in the original text, so that a label given to a word's first piece maps back to
 * exactly the characters the user wrote (accents, case and all). Work is linear in the text: each character is read
 * once, and WordPiece looks up at most {@code 100²} prefixes of a word before it gives up on it.
 */
final class WordPieceTokenizer {
    static final int MAX_WORD_CHARS = 100;
    static final String UNKNOWN = "[UNK]";
    static final String CLASSIFY = "[CLS]";
    static final String SEPARATE = "[SEP]";

    /** The words of a text and their WordPiece ids; word {@code w}'s pieces are {@code ids[first(w)..first(w+1))}. */
    static final class Tokens {
        private int[] wordStart = new int[16];
        private int[] wordEnd = new int[16];
        private int[] firstPiece = new int[17];
        private int[] ids = new int[32];
        private int words;
        private int pieces;

        int words() {
            return words;
        }

        /** Index of the first character of word {@code word} in the original text. */
        int start(int word) {
            return wordStart[word];
        }

        /** Index after the last character of word {@code word} in the original text. */
        int end(int word) {
            return wordEnd[word];
        }

        int pieceCount(int word) {
            return firstPiece[word + 1] - firstPiece[word];
        }

        int piece(int word, int index) {
            return ids[firstPiece[word] + index];
        }

        private void addPiece(int id) {
            if (pieces == ids.length) {
                ids = Arrays.copyOf(ids, pieces * 2);
            }
            ids[pieces++] = id;
        }

        private void endWord(int start, int end) {
            if (words + 1 == wordStart.length) {
                wordStart = Arrays.copyOf(wordStart, words * 2 + 2);
                wordEnd = Arrays.copyOf(wordEnd, words * 2 + 2);
                firstPiece = Arrays.copyOf(firstPiece, words * 2 + 3);
            }
            wordStart[words] = start;
            wordEnd[words] = end;
            words++;
            firstPiece[words] = pieces;
        }
    }

    private final Map<String, Integer> vocabulary;
    private final boolean lowerCase;
    private final int unknownId;
    private final int classifyId;
    private final int separateId;

    private WordPieceTokenizer(Map<String, Integer> vocabulary, boolean lowerCase) {
        this.vocabulary = vocabulary;
        this.lowerCase = lowerCase;
        this.unknownId = vocabulary.get(UNKNOWN);
        this.classifyId = vocabulary.get(CLASSIFY);
        this.separateId = vocabulary.get(SEPARATE);
    }

    /**
     * The tokenizer of a vocabulary, one token a line, its id the line's number from 0.
     *
     * @param lowerCase whether the model was trained on lower-cased text without accents; when empty, it is read
     *                  from the vocabulary: uncased unless a word token has an upper-case letter
     * @throws IllegalArgumentException when a special token the model needs is missing
     */
    static WordPieceTokenizer of(List<String> lines, Optional<Boolean> lowerCase) {
        Map<String, Integer> vocabulary = new HashMap<>(lines.size() * 2);
        for (int i = 0; i < lines.size(); i++) {
            vocabulary.put(lines.get(i), i);
        }
        for (String special : List.of(UNKNOWN, CLASSIFY, SEPARATE)) {
            if (!vocabulary.containsKey(special)) {
                throw new IllegalArgumentException("has no " + special + " token; a BERT WordPiece vocab.txt has "
                        + "[PAD], [UNK], [CLS], [SEP] and [MASK]");
            }
        }
        return new WordPieceTokenizer(vocabulary, lowerCase.orElseGet(() -> isUncased(lines)));
    }

    static WordPieceTokenizer load(Path vocab, Optional<Boolean> lowerCase) throws IOException {
        return of(Files.readAllLines(vocab, StandardCharsets.UTF_8), lowerCase);
    }

    private static boolean isUncased(List<String> tokens) {
        for (String token : tokens) {
            boolean special = token.startsWith("[") && token.endsWith("]");
            if (!special && !token.equals(token.toLowerCase(Locale.ROOT))) {
                return false;
            }
        }
        return true;
    }

    boolean lowerCase() {
        return lowerCase;
    }

    int classifyId() {
        return classifyId;
    }

    int separateId() {
        return separateId;
    }

    Tokens tokenize(String text) {
        Tokens tokens = new Tokens();
        StringBuilder word = new StringBuilder();
        int wordStart = -1;
        int wordEnd = -1;
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            int next = i + Character.charCount(c);
            if (isDropped(c)) {
                // Removed before the text is split, as BERT's tokenizer does: a word goes on across it.
            } else if (isWhitespace(c)) {
                if (wordStart >= 0) {
                    addWord(tokens, word, wordStart, wordEnd);
                    wordStart = -1;
                }
            } else if (isPunctuation(c) || isCjk(c)) {
                if (wordStart >= 0) {
                    addWord(tokens, word, wordStart, wordEnd);
                    wordStart = -1;
                }
                word.appendCodePoint(c);
                addWord(tokens, word, i, next);
            } else {
                if (wordStart < 0) {
                    wordStart = i;
                }
                word.appendCodePoint(c);
                wordEnd = next;
            }
            i = next;
        }
        if (wordStart >= 0) {
            addWord(tokens, word, wordStart, wordEnd);
        }
        return tokens;
    }

    private void addWord(Tokens tokens, StringBuilder word, int start, int end) {
        String normalized = normalize(word.toString());
        word.setLength(0);
        int pieces = tokens.pieces;
        if (!normalized.isEmpty()) {
            wordPieces(normalized, tokens);
        }
        if (tokens.pieces > pieces) {
            tokens.endWord(start, end);
        }
    }

    private String normalize(String word) {
        if (!lowerCase) {
            return word;
        }
        String lower = word.toLowerCase(Locale.ROOT);
        if (isAscii(lower)) {
            return lower;
        }
        String decomposed = Normalizer.normalize(lower, Normalizer.Form.NFD);
        StringBuilder stripped = new StringBuilder(decomposed.length());
        for (int i = 0; i < decomposed.length(); ) {
            int c = decomposed.codePointAt(i);
            if (Character.getType(c) != Character.NON_SPACING_MARK) {
                stripped.appendCodePoint(c);
            }
            i += Character.charCount(c);
        }
        return stripped.toString();
    }

    /** Adds the pieces of {@code word}, or {@code [UNK]} alone when it cannot be spelt from the vocabulary. */
    private void wordPieces(String word, Tokens tokens) {
        int mark = tokens.pieces;
        if (word.codePointCount(0, word.length()) > MAX_WORD_CHARS) {
            tokens.addPiece(unknownId);
            return;
        }
        int start = 0;
        while (start < word.length()) {
            Integer id = null;
            int end = word.length();
            while (end > start) {
                String candidate = start > 0 ? "##" + word.substring(start, end) : word.substring(start, end);
                id = vocabulary.get(candidate);
                if (id != null) {
                    break;
                }
                end = word.offsetByCodePoints(end, -1);
            }
            if (id == null) {
                tokens.pieces = mark;
                tokens.addPiece(unknownId);
                return;
            }
            tokens.addPiece(id);
            start = end;
        }
    }

    private static boolean isAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /** Whitespace as the Rust tokenizer (the one exports use) reads it once control characters are gone. */
    static boolean isWhitespace(int c) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            return true;
        }
        int type = Character.getType(c);
        return type == Character.SPACE_SEPARATOR || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR;
    }

    /** NUL, U+FFFD and every "other" character (Cc, Cf, Co, Cn) but tab, line feed and carriage return. */
    private static boolean isDropped(int c) {
        if (c == 0 || c == 0xFFFD) {
            return true;
        }
        if (c == '\t' || c == '\n' || c == '\r') {
            return false;
        }
        int type = Character.getType(c);
        return type == Character.CONTROL || type == Character.FORMAT || type == Character.PRIVATE_USE
                || type == Character.UNASSIGNED || type == Character.SURROGATE;
    }

    static boolean isPunctuation(int c) {
        if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126)) {
            return true;
        }
        return switch (Character.getType(c)) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                 Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                 Character.OTHER_PUNCTUATION -> true;
            default -> false;
        };
    }

    /** The CJK ideograph blocks BERT's tokenizer splits into single characters (not Hangul, kana or Thai). */
    private static boolean isCjk(int c) {
        return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF)
                || (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF)
                || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
    }
}
