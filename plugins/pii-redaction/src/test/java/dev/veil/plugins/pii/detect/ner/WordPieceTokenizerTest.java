package dev.veil.plugins.pii.detect.ner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class WordPieceTokenizerTest {
    private static final List<String> UNCASED = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", ",", ".", "-",
            "call", "please", "zor", "##vath", "##v", "noemie", "le", "goff", "王", "小", "明", "karl", "heinz");
    private static final List<String> CASED = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "Zor", "##vath", "zor",
            "Noémie");

    private final WordPieceTokenizer uncased = WordPieceTokenizer.of(UNCASED, Optional.empty());

    @Test
    void wordsKeepTheirPlaceInTheOriginalText() {
        String text = "Call  Zorvath,\tplease.";

        assertThat(words(uncased, text)).containsExactly("Call", "Zorvath", ",", "please", ".");
    }

    @Test
    void aWordIsSplitIntoItsLongestPiecesWithHashesAfterTheFirst() {
        assertThat(pieces(uncased, UNCASED, "zorvath")).containsExactly("zor", "##vath");
    }

    @Test
    void uncasedVocabularyLowerCasesAndStripsAccentsWhileTheSpanKeepsThem() {
        String text = "NOÉMIE Le Goff";

        assertThat(pieces(uncased, UNCASED, text)).containsExactly("noemie", "le", "goff");
        assertThat(words(uncased, text)).containsExactly("NOÉMIE", "Le", "Goff");
    }

    @Test
    void decomposedAccentsAreStrippedAndStayInTheSpan() {
        String text = "noe\u0301mie";

        assertThat(pieces(uncased, UNCASED, text)).containsExactly("noemie");
        assertThat(words(uncased, text)).containsExactly(text);
    }

    @Test
    void punctuationIsAWordOfItsOwn() {
        String text = "Karl-Heinz";

        assertThat(words(uncased, text)).containsExactly("Karl", "-", "Heinz");
        assertThat(pieces(uncased, UNCASED, text)).containsExactly("karl", "-", "heinz");
    }

    @Test
    void eachCjkIdeographIsAWordOfItsOwn() {
        assertThat(words(uncased, "王小明")).containsExactly("王", "小", "明");
    }

    @Test
    void aWordThatCannotBeSpeltIsOneUnknownToken() {
        assertThat(pieces(uncased, UNCASED, "zorq")).containsExactly("[UNK]");
    }

    @Test
    void aCharacterOutsideTheBasicPlaneIsOneUnknownWordCoveringBothItsChars() {
        String text = "call \uD83D\uDE00 zorvath";

        assertThat(words(uncased, text)).containsExactly("call", "\uD83D\uDE00", "zorvath");
        assertThat(pieces(uncased, UNCASED, text)).containsExactly("call", "[UNK]", "zor", "##vath");
    }

    @Test
    void aWordLongerThanAHundredCharactersIsUnknown() {
        assertThat(pieces(uncased, UNCASED, "zor" + "v".repeat(97))).hasSize(98).startsWith("zor", "##v").endsWith("##v");
        assertThat(pieces(uncased, UNCASED, "zor" + "v".repeat(98))).containsExactly("[UNK]");
    }

    @Test
    void controlAndFormatCharactersAreDroppedWithoutSplittingTheWord() {
        String text = "zor\u200Bvath\u0000";

        assertThat(pieces(uncased, UNCASED, text)).containsExactly("zor", "##vath");
        assertThat(words(uncased, text)).containsExactly("zor\u200Bvath");
    }

    @Test
    void unicodeSpacesSplitWords() {
        assertThat(words(uncased, "zorvath\u00A0please\u3000call")).containsExactly("zorvath", "please", "call");
    }

    @Test
    void aTextOfNothingButSpacesAndControlsHasNoWords() {
        assertThat(uncased.tokenize(" \u200B\n\u0007 ").words()).isZero();
    }

    @Test
    void aVocabularyWithUpperCaseWordsIsCasedAndKeepsCase() {
        WordPieceTokenizer cased = WordPieceTokenizer.of(CASED, Optional.empty());

        assertThat(cased.lowerCase()).isFalse();
        assertThat(pieces(cased, CASED, "Zorvath zorvath Noémie")).containsExactly("Zor", "##vath", "zor", "##vath",
                "Noémie");
    }

    @Test
    void lowerCaseCanBeSetAgainstWhatTheVocabularySuggests() {
        assertThat(WordPieceTokenizer.of(CASED, Optional.of(true)).lowerCase()).isTrue();
        assertThat(WordPieceTokenizer.of(UNCASED, Optional.of(false)).lowerCase()).isFalse();
    }

    @Test
    void aVocabularyWithoutTheSpecialTokensIsRefused() {
        assertThatThrownBy(() -> WordPieceTokenizer.of(List.of("[CLS]", "[SEP]", "call"), Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[UNK]");
    }

    @Test
    void aLongTextIsTokenizedWordForWord() {
        String text = "please call zorvath, ".repeat(50_000);

        WordPieceTokenizer.Tokens tokens = uncased.tokenize(text);

        assertThat(tokens.words()).isEqualTo(200_000);
        assertThat(tokens.start(199_999)).isEqualTo(text.length() - 2);
    }

    private static List<String> words(WordPieceTokenizer tokenizer, String text) {
        WordPieceTokenizer.Tokens tokens = tokenizer.tokenize(text);
        List<String> words = new ArrayList<>();
        for (int word = 0; word < tokens.words(); word++) {
            words.add(text.substring(tokens.start(word), tokens.end(word)));
        }
        return words;
    }

    private static List<String> pieces(WordPieceTokenizer tokenizer, List<String> vocabulary, String text) {
        WordPieceTokenizer.Tokens tokens = tokenizer.tokenize(text);
        List<String> pieces = new ArrayList<>();
        for (int word = 0; word < tokens.words(); word++) {
            for (int piece = 0; piece < tokens.pieceCount(word); piece++) {
                pieces.add(vocabulary.get(tokens.piece(word, piece)));
            }
        }
        return pieces;
    }
}
