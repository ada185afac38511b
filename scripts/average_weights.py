"""Average the weights of several models of one architecture into one model folder (issue 12, lever 6).

Usage:
    python scripts/average_weights.py OUT MODEL MODEL [MODEL ...]
    # checkpoint averaging: the weights after epochs 3 and 4 of one run
    python scripts/average_weights.py runs/polnear-4ep-avg2 runs/polnear-4ep/checkpoint-831 runs/polnear-4ep
    # a "model soup": the same recipe fine-tuned with several training seeds from one starting model
    python scripts/average_weights.py runs/default-soup runs/default runs/default-seed1 runs/default-seed2

Every floating-point weight is the element-wise mean of the models' weights; integer buffers (position ids) must
be equal. The models must have quotes' labels and the same weight names and shapes, window size and word-shape
setting, or the script stops and names the first difference. A checkpoint folder of a run (``checkpoint-N``, no
``quotes.json``) takes those settings from the first model. OUT must be a new or empty folder (never one of the
inputs). It loads with ``QuoteExtractor.from_pretrained`` and any transformers loader; its ``quotes.json`` takes
the ``predict`` defaults of the first model and lists the averaged folders under ``averaged_from``. No model card
or metrics are copied: those described one of the inputs, not the average. A measurement, not a ``quotes``
command: averaging has not clearly beaten a single model on our dev sets (model_card.md's recipe table).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import torch

from quotes.inference import QuoteExtractor
from quotes.model_folder import load_model_and_tokenizer


def load(folder: Path, template: QuoteExtractor | None) -> QuoteExtractor:
    """A model folder as an extractor; a bare checkpoint folder borrows the first model's settings."""
    if (folder / "quotes.json").is_file():
        return QuoteExtractor.from_pretrained(folder, device="cpu", dtype="fp32")
    if template is None:
        raise SystemExit(f"quotes: error: {folder}: no quotes.json; give a model folder first, checkpoints after it")
    model, tokenizer = load_model_and_tokenizer(folder)
    return QuoteExtractor(
        model,
        tokenizer,
        max_length=template.max_length,
        stride=template.stride,
        device="cpu",
        dtype="fp32",
        word_shape=template.word_shape,
        metadata=template.metadata,
    )


def difference(first: QuoteExtractor, other: QuoteExtractor) -> str | None:
    """Why two extractors cannot be averaged, or None."""
    if (first.max_length, first.stride) != (other.max_length, other.stride):
        return f"windows {other.max_length}/{other.stride} tokens, not {first.max_length}/{first.stride}"
    if first.word_shape != other.word_shape:
        return f"word_shape {other.word_shape}, not {first.word_shape}"
    mine, theirs = first.model.state_dict(), other.model.state_dict()
    if mine.keys() != theirs.keys():
        return f"weights {sorted(mine.keys() ^ theirs.keys())[:3]} are in one model only"
    for name, tensor in mine.items():
        if tensor.shape != theirs[name].shape:
            return f"weight {name} has shape {tuple(theirs[name].shape)}, not {tuple(tensor.shape)}"
        if not tensor.is_floating_point() and not torch.equal(tensor, theirs[name]):
            return f"integer buffer {name} differs"
    return None


def average(extractors: list[QuoteExtractor]) -> dict[str, Any]:
    """The element-wise mean of the floating-point weights; other tensors from the first model."""
    states = [e.model.state_dict() for e in extractors]
    return {
        name: torch.stack([s[name].float() for s in states]).mean(0).to(tensor.dtype)
        if tensor.is_floating_point()
        else tensor
        for name, tensor in states[0].items()
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="new or empty folder for the averaged model")
    parser.add_argument("models", type=Path, nargs="+", help="model folders (checkpoint folders after the first)")
    args = parser.parse_args(argv)
    if len(args.models) < 2:
        parser.error("give two or more models to average")
    if args.out.exists() and (not args.out.is_dir() or any(args.out.iterdir())):
        # never over a model, least of all one of the inputs: the average goes into a new or empty folder
        raise SystemExit(f"quotes: error: {args.out}: exists and is not an empty folder; nothing was written")
    extractors: list[QuoteExtractor] = []
    for folder in args.models:
        extractor = load(folder, extractors[0] if extractors else None)
        if extractors and (problem := difference(extractors[0], extractor)):
            raise SystemExit(f"quotes: error: {folder}: {problem} ({args.models[0]} differs); nothing was written")
        extractors.append(extractor)
    first = extractors[0]
    first.model.load_state_dict(average(extractors))
    first.metadata = {**first.metadata, "averaged_from": [str(folder) for folder in args.models]}
    first.source = None  # the first model's card and metrics describe it, not the average
    out = first.save_pretrained(args.out)
    print(f"averaged {len(extractors)} models -> {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
