package dev.veil.plugins.pii.detect.ner;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The tokenizer against Hugging Face's own (the {@code tokenizers} package, BERT uncased and cased) on texts from the
 * PII corpora and a few written to reach CJK, characters outside the BMP, controls and odd case mappings: the same
 * ids, and each word at the same place in the text. Built by tools/build_tokenizer_reference.py.
 */
class WordPieceTokenizerReferenceTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void givesTheIdsAndWordOffsetsThatHuggingFacesTokenizerGives() throws IOException {
        List<String> vocabulary = Files.readAllLines(TinyModel.file("tokenizer-reference/vocab.txt"),
                StandardCharsets.UTF_8);
        WordPieceTokenizer uncased = WordPieceTokenizer.of(vocabulary, Optional.of(true));
        WordPieceTokenizer cased = WordPieceTokenizer.of(vocabulary, Optional.of(false));
        List<String> lines = Files.readAllLines(TinyModel.file("tokenizer-reference/reference.jsonl"),
                StandardCharsets.UTF_8);

        for (String line : lines) {
            JsonNode expected = JSON.readTree(line);
            String text = expected.get("text").asText();
            WordPieceTokenizer tokenizer = expected.get("lowercase").asBoolean() ? uncased : cased;
            WordPieceTokenizer.Tokens tokens = tokenizer.tokenize(text);
            List<Integer> ids = new ArrayList<>();
            List<Integer> starts = new ArrayList<>();
            List<Integer> ends = new ArrayList<>();
            for (int word = 0; word < tokens.words(); word++) {
                starts.add(tokens.start(word));
                ends.add(tokens.end(word));
                for (int piece = 0; piece < tokens.pieceCount(word); piece++) {
                    ids.add(tokens.piece(word, piece));
                }
            }

            String about = (expected.get("lowercase").asBoolean() ? "uncased: " : "cased: ") + text;
            assertThat(ids).as(about).isEqualTo(integers(expected.get("ids")));
            assertThat(starts).as(about).isEqualTo(integers(expected.get("starts")));
            assertThat(ends).as(about).isEqualTo(integers(expected.get("ends")));
        }
        assertThat(lines).hasSizeGreaterThan(100);
    }

    private static List<Integer> integers(JsonNode array) {
        List<Integer> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asInt()));
        return values;
    }
}
