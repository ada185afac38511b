"""Measure ONNX Runtime (fp32 and dynamic int8) against the PyTorch path ``quotes predict`` uses (bf16 autocast).

Each backend runs in a fresh process over the same texts (the seed articles, plus PolNeAR dev articles when a path
is given) through the whole ``QuoteExtractor.predict`` pipeline, with only the forward pass swapped; it reports
throughput, peak RSS, and the share of predicted spans (label, start, end) identical to the PyTorch bf16 run.

    pip install onnxruntime onnx    # not dependencies of quotes: the export was measured, not shipped
    nice python scripts/bench_onnx.py --model runs/seed --polnear /path/to/polnear/dev --polnear-docs 40

Results and the decision: docs/archive.md ("ONNX Runtime: measured, not shipped").
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BACKENDS = ["torch-bf16", "torch-fp32", "onnx-fp32", "onnx-int8"]


def texts(polnear: str | None, polnear_docs: int) -> list[str]:
    from quotes.data import read_documents

    documents = read_documents(ROOT / "data" / "annotations" / "seed")
    if polnear:
        documents += read_documents(polnear)[:polnear_docs]
    return [d.text for d in documents]


def export(model_dir: str, work: Path) -> None:
    """``model.onnx`` (fp32, dynamic batch and length) and ``model-int8.onnx`` (dynamic int8 weights)."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModelForTokenClassification

    model = AutoModelForTokenClassification.from_pretrained(model_dir, local_files_only=True).eval()
    ids = torch.ones((2, 16), dtype=torch.long)
    torch.onnx.export(
        model,
        (ids, torch.ones_like(ids)),
        str(work / "model.onnx"),
        input_names=["input_ids", "attention_mask"],
        output_names=["logits"],
        dynamic_axes={"input_ids": {0: "batch", 1: "length"}, "attention_mask": {0: "batch", 1: "length"}},
        opset_version=17,
        dynamo=False,
    )
    quantize_dynamic(str(work / "model.onnx"), str(work / "model-int8.onnx"), weight_type=QuantType.QInt8)


class OrtModel:
    """Stands in for the PyTorch model in ``QuoteExtractor``: same call, logits from ONNX Runtime."""

    def __init__(self, path: Path, config):
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = os.cpu_count() or 2
        self.session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.config = config

    def to(self, device):
        return self

    def eval(self):
        return self

    def __call__(self, input_ids, attention_mask):
        import torch

        feeds = {"input_ids": input_ids.numpy(), "attention_mask": attention_mask.numpy()}
        return type("Output", (), {"logits": torch.from_numpy(self.session.run(["logits"], feeds)[0])})


def run_backend(backend: str, model_dir: str, work: Path, corpus: list[str]) -> dict:
    from quotes.inference import QuoteExtractor

    extractor = QuoteExtractor.from_pretrained(model_dir, precision="bf16" if backend == "torch-bf16" else "fp32")
    if backend.startswith("onnx"):
        name = "model.onnx" if backend == "onnx-fp32" else "model-int8.onnx"
        extractor.model = OrtModel(work / name, extractor.model.config)
    extractor.predict(corpus[:2])  # warm up
    start = time.perf_counter()
    tagged = extractor.tag(corpus)
    seconds = time.perf_counter() - start
    tokens = sum(len(ids) for ids in extractor.tokenizer(corpus, add_special_tokens=False)["input_ids"])
    spans = [[[label, s.start, s.end] for label, s in doc] for doc in tagged]
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "tokens": tokens, "rss_mb": rss, "spans": spans}


def identical(spans: list, reference: list) -> float:
    """Spans (label, start, end) found by both runs / found by either, over all texts."""
    same = either = 0
    for mine, theirs in zip(spans, reference):
        a, b = {tuple(s) for s in mine}, {tuple(s) for s in theirs}
        same += len(a & b)
        either += len(a | b)
    return same / either if either else 1.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True)
    parser.add_argument("--polnear", help="a PolNeAR dev folder (BRAT) to add texts from")
    parser.add_argument("--polnear-docs", type=int, default=40)
    parser.add_argument("--backend", choices=BACKENDS, help=argparse.SUPPRESS)  # the child process
    parser.add_argument("--work", help=argparse.SUPPRESS)
    args = parser.parse_args()
    corpus = texts(args.polnear, args.polnear_docs)
    if args.backend:
        print(json.dumps(run_backend(args.backend, args.model, Path(args.work), corpus)))
        return

    with tempfile.TemporaryDirectory(prefix="bench-onnx-") as tmp:
        work = Path(tmp)
        export(args.model, work)
        sizes = {p.name: p.stat().st_size / 2**20 for p in work.glob("*.onnx")}
        results = {}
        for backend in BACKENDS:
            command = [sys.executable, __file__, "--model", args.model, "--backend", backend, "--work", tmp]
            if args.polnear:
                command += ["--polnear", args.polnear, "--polnear-docs", str(args.polnear_docs)]
            out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
            results[backend] = json.loads(out.strip().splitlines()[-1])

    print(f"{len(corpus)} texts, {results['torch-bf16']['tokens']} tokens; {os.cpu_count()} CPU cores")
    print("ONNX files: " + ", ".join(f"{name} {mb:.0f} MB" for name, mb in sorted(sizes.items())))
    print(f"{'backend':<11} {'tokens/s':>9} {'peak RSS MB':>12} {'spans':>6} {'same as bf16':>13} {'same as fp32':>13}")
    for backend, result in results.items():
        shares = [identical(result["spans"], results[ref]["spans"]) for ref in ("torch-bf16", "torch-fp32")]
        count = sum(map(len, result["spans"]))
        speed = result["tokens"] / result["seconds"]
        print(f"{backend:<11} {speed:>9.0f} {result['rss_mb']:>12.0f} {count:>6} {shares[0]:>13.1%} {shares[1]:>13.1%}")
    print("same as X = spans (label, start, end) found by both runs / found by either, over all texts")
    print("peak RSS: the whole process; the ONNX runs also hold the PyTorch model (loaded, then swapped out)")


if __name__ == "__main__":
    main()
