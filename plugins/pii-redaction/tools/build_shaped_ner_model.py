#!/usr/bin/env python3
"""Builds a token-classification model with the layers and sizes of a real BERT but random weights, to measure what
pii-redaction's NER detector costs with a model of that size (bench/micro pii-ner -p model=DIR).

What a transformer computes per token depends on its shape (layers, hidden size, heads, feed-forward size,
sequence length), not on its weights, so its time per token is that of the trained model of the same shape exported
to ONNX in fp32; it finds nothing. The vocabulary is the tiny test model's (the embedding table's size changes a
lookup, not the cost), so the model is much smaller than the real one on disk. Not committed: build it when needed.

Shapes: bert-base (12 layers, 768 hidden, 12 heads, 3072 feed-forward; bert-base-NER and most NER models),
distilbert (6 layers of bert-base's size), bert-small (4 layers, 512 hidden, 8 heads, 2048), bert-tiny
(2 layers, 128 hidden, 2 heads, 512).

Usage (numpy and onnx only):
  /tmp/onnx-venv/bin/python build_shaped_ner_model.py bert-base /tmp/bert-base-shaped
"""
import json
import math
import os
import shutil
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

SHAPES = {
    "bert-base": (12, 768, 12, 3072),
    "distilbert": (6, 768, 12, 3072),
    "bert-small": (4, 512, 8, 2048),
    "bert-tiny": (2, 128, 2, 512),
}
MAX_POSITIONS = 512
HERE = os.path.dirname(os.path.abspath(__file__))
TINY = os.path.join(HERE, "..", "src", "test", "resources", "ner")


class Graph:
    def __init__(self, seed):
        self.nodes, self.initializers, self.rng, self.count = [], [], np.random.default_rng(seed), 0

    def name(self, prefix):
        self.count += 1
        return f"{prefix}_{self.count}"

    def weight(self, shape, scale=0.02):
        name = self.name("w")
        array = (self.rng.standard_normal(shape) * scale).astype(np.float32)
        self.initializers.append(numpy_helper.from_array(array, name))
        return name

    def constant(self, array):
        name = self.name("c")
        self.initializers.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def op(self, kind, inputs, **attributes):
        out = self.name(kind.lower())
        self.nodes.append(helper.make_node(kind, inputs, [out], **attributes))
        return out

    def linear(self, x, fan_in, fan_out):
        return self.op("Add", [self.op("MatMul", [x, self.weight((fan_in, fan_out))]), self.weight((fan_out,))])

    def layer_norm(self, x, hidden):
        ones = self.constant(np.ones(hidden, dtype=np.float32))
        zeros = self.constant(np.zeros(hidden, dtype=np.float32))
        return self.op("LayerNormalization", [x, ones, zeros], axis=-1, epsilon=1e-12)

    def gelu(self, x):
        inner = self.op("Erf", [self.op("Div", [x, self.constant(np.float32(math.sqrt(2)))])])
        half = self.op("Mul", [x, self.constant(np.float32(0.5))])
        return self.op("Mul", [half, self.op("Add", [inner, self.constant(np.float32(1))])])


def build(shape, vocab_size, labels):
    layers, hidden, heads, feed_forward = SHAPES[shape]
    head = hidden // heads
    g = Graph(seed=7)
    words = g.op("Gather", [g.weight((vocab_size, hidden)), "input_ids"], axis=0)
    length = g.op("Gather", [g.op("Shape", ["input_ids"]), g.constant(np.int64(1))], axis=0)
    positions = g.op("Unsqueeze", [g.op("Range", [g.constant(np.int64(0)), length, g.constant(np.int64(1))]),
                                   g.constant(np.array([0], dtype=np.int64))])
    x = g.op("Add", [words, g.op("Gather", [g.weight((MAX_POSITIONS, hidden)), positions], axis=0)])
    x = g.op("Add", [x, g.op("Gather", [g.weight((2, hidden)), "token_type_ids"], axis=0)])
    x = g.layer_norm(x, hidden)
    # (1 - mask) * -10000 as [batch, 1, 1, sequence]: padding gets no attention.
    mask = g.op("Cast", ["attention_mask"], to=TensorProto.FLOAT)
    mask = g.op("Mul", [g.op("Sub", [g.constant(np.float32(1)), mask]), g.constant(np.float32(-10000))])
    mask = g.op("Unsqueeze", [mask, g.constant(np.array([1, 2], dtype=np.int64))])
    split = g.constant(np.array([0, 0, heads, head], dtype=np.int64))
    merge = g.constant(np.array([0, 0, hidden], dtype=np.int64))
    for _ in range(layers):
        def heads_of(t):
            return g.op("Transpose", [g.op("Reshape", [t, split])], perm=[0, 2, 1, 3])
        q, k, v = (heads_of(g.linear(x, hidden, hidden)) for _ in range(3))
        scores = g.op("MatMul", [q, g.op("Transpose", [k], perm=[0, 1, 3, 2])])
        scores = g.op("Add", [g.op("Div", [scores, g.constant(np.float32(math.sqrt(head)))]), mask])
        context = g.op("MatMul", [g.op("Softmax", [scores], axis=-1), v])
        context = g.op("Reshape", [g.op("Transpose", [context], perm=[0, 2, 1, 3]), merge])
        x = g.layer_norm(g.op("Add", [x, g.linear(context, hidden, hidden)]), hidden)
        inner = g.gelu(g.linear(x, hidden, feed_forward))
        x = g.layer_norm(g.op("Add", [x, g.linear(inner, feed_forward, hidden)]), hidden)
    logits = g.linear(x, hidden, labels)
    g.nodes.append(helper.make_node("Identity", [logits], ["logits"]))
    sequence = ["batch", "sequence"]
    inputs = [helper.make_tensor_value_info(n, TensorProto.INT64, sequence)
              for n in ("input_ids", "attention_mask", "token_type_ids")]
    output = helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", "sequence", labels])
    graph = helper.make_graph(g.nodes, f"{shape}-shaped-ner", inputs, [output], g.initializers)
    model = helper.make_model(graph, producer_name="veil-shaped-ner", opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def main(shape, out):
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(TINY, "vocab.txt"), encoding="utf-8") as f:
        vocab_size = sum(1 for _ in f)
    with open(os.path.join(TINY, "config.json"), encoding="utf-8") as f:
        config = json.load(f)
    config["max_position_embeddings"] = MAX_POSITIONS
    with open(os.path.join(out, "config.json"), "w", encoding="utf-8") as f:
        json.dump(config, f, indent=2)
    shutil.copy(os.path.join(TINY, "vocab.txt"), os.path.join(out, "vocab.txt"))
    onnx.save(build(shape, vocab_size, len(config["id2label"])), os.path.join(out, "model.onnx"))


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in SHAPES:
        sys.exit("usage: build_shaped_ner_model.py {" + ",".join(SHAPES) + "} OUTPUT_DIR")
    main(sys.argv[1], sys.argv[2])
