#!/usr/bin/env python3
"""Builds the tiny token-classification model the NER detector's tests run (src/test/resources/ner/).

It has the shape of a Hugging Face BERT token-classification model exported to ONNX — inputs input_ids,
attention_mask and token_type_ids (int64 [batch, sequence]), output logits (float [batch, sequence, labels]) — with a
WordPiece vocab.txt (uncased) and a config.json whose id2label holds CoNLL-style BIO labels. Inside, it is no
language model: the logits of a token are one row of a table (Gather), masked by attention_mask, so that a few
made-up vocabulary words score as names (B-PER/I-PER), places (B-LOC/I-LOC) or an organisation (B-ORG), one word as
a name with low confidence, and everything else as O. That is enough to test the tokenizer, the windows, the label
decoding and the wiring through the real server; it says nothing about how well a real model finds names.

A second model, model-without-token-types.onnx, lacks the token_type_ids input, as DistilBERT exports do.

Usage (onnx is the only dependency; the outputs are committed, a few KB):
  python3 -m venv /tmp/onnx-venv && /tmp/onnx-venv/bin/pip install onnx==1.17.0
  /tmp/onnx-venv/bin/python build_tiny_ner_model.py ../src/test/resources/ner
"""
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

LABELS = ["O", "B-MISC", "I-MISC", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"]
SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
PUNCTUATION = list(".,:;!?'\"()-<>_@/#&")
DIGITS = list("0123456789")
WORDS = """the a an and or to of in on at for with from by is was be are please call meet email send ask tell
about meeting tomorrow today report invoice order my our your we i you he she they her his him dr mr mrs ms hello hi
dear thanks regards yes no can could will would this that it its new person name city office lives near visit
visited book booked flight hotel room called wrote""".split()
# Each made-up word and the labels of its WordPiece tokens: the first piece of a first name is B-PER, every other
# piece of a name is I-PER, so that "zorvath quillane" is one person.
ENTITY_PIECES = {
    "zor": "B-PER", "##vath": "I-PER",
    "quill": "I-PER", "##ane": "I-PER",
    "ysolde": "B-PER",
    "brack": "B-LOC", "##water": "I-LOC",
    "veltrix": "B-ORG",
}
LOW_CONFIDENCE = "vex"
CONFIDENT = 8.0


def build_vocab():
    vocab = SPECIAL + PUNCTUATION + DIGITS + WORDS + list(ENTITY_PIECES) + [LOW_CONFIDENCE]
    assert len(vocab) == len(set(vocab)), "duplicate vocabulary entries"
    return vocab


def logits_table(vocab):
    table = np.zeros((len(vocab), len(LABELS)), dtype=np.float32)
    for index, token in enumerate(vocab):
        label = ENTITY_PIECES.get(token, "O")
        table[index, LABELS.index(label)] = CONFIDENT
    # B-PER ahead of O, but with a probability of about 0.39 over all labels: below any sensible min-score.
    low = vocab.index(LOW_CONFIDENCE)
    table[low, LABELS.index("B-PER")] = 2.0
    table[low, LABELS.index("O")] = 1.5
    return table


def build_model(vocab, with_token_types):
    sequence = ["batch", "sequence"]
    inputs = [helper.make_tensor_value_info("input_ids", TensorProto.INT64, sequence),
              helper.make_tensor_value_info("attention_mask", TensorProto.INT64, sequence)]
    if with_token_types:
        inputs.append(helper.make_tensor_value_info("token_type_ids", TensorProto.INT64, sequence))
    output = helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", "sequence", len(LABELS)])
    initializers = [numpy_helper.from_array(logits_table(vocab), "token_logits"),
                    numpy_helper.from_array(np.array([2], dtype=np.int64), "last_axis")]
    nodes = [helper.make_node("Gather", ["token_logits", "input_ids"], ["scores"], axis=0),
             helper.make_node("Cast", ["attention_mask"], ["mask_float"], to=TensorProto.FLOAT),
             helper.make_node("Unsqueeze", ["mask_float", "last_axis"], ["mask"])]
    if with_token_types:
        # Zero rows: the segment changes nothing, but the input is read as a BERT export reads it.
        initializers.append(numpy_helper.from_array(np.zeros((2, len(LABELS)), dtype=np.float32), "type_logits"))
        nodes += [helper.make_node("Gather", ["type_logits", "token_type_ids"], ["type_scores"], axis=0),
                  helper.make_node("Add", ["scores", "type_scores"], ["typed_scores"]),
                  helper.make_node("Mul", ["typed_scores", "mask"], ["logits"])]
    else:
        nodes.append(helper.make_node("Mul", ["scores", "mask"], ["logits"]))
    graph = helper.make_graph(nodes, "tiny-ner", inputs, [output], initializers)
    model = helper.make_model(graph, producer_name="veil-tiny-ner", opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    return model


def main(out):
    os.makedirs(out, exist_ok=True)
    vocab = build_vocab()
    with open(os.path.join(out, "vocab.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(vocab) + "\n")
    config = {"architectures": ["BertForTokenClassification"], "model_type": "bert",
              "id2label": {str(i): label for i, label in enumerate(LABELS)},
              "label2id": {label: i for i, label in enumerate(LABELS)}}
    with open(os.path.join(out, "config.json"), "w", encoding="utf-8") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    onnx.save(build_model(vocab, True), os.path.join(out, "model.onnx"))
    onnx.save(build_model(vocab, False), os.path.join(out, "model-without-token-types.onnx"))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: build_tiny_ner_model.py OUTPUT_DIR")
    main(sys.argv[1])
