"""Prediction speed of ``QuoteExtractor`` against the bare model forward pass and the Hugging Face pipeline.

Usage:
    python scripts/bench_predict.py --model runs/seed [--repeat 3] [--batch-size 16] [--dtype auto] [--quick]
        [--device cpu] [--profile]

Two corpora: the seed articles (``data/annotations/seed/*.json``, field ``text``) and about 1 MB of news-like text
(0.2 MB with ``--quick``) built with no network from the seed texts' paragraphs, shuffled with a fixed seed into
documents of about 5 kB. Three ways to tag each corpus, each timed ``--repeat`` times in interleaved rounds (so that
load from other jobs hits all three alike; medians reported; one untimed warm-up round on the seed articles):

- ``bare forward``: the model alone over the very windows ``QuoteExtractor`` builds (its own
  ``tokenize_windows`` and ``batch_windows``, the same autocast dtype); only the ``model(...)`` calls are timed.
  The lower bound.
- ``QuoteExtractor``: ``predict(texts)``, end to end (tokenize, forward, merge windows, spans, linking).
- ``HF pipeline``: ``pipeline("token-classification", aggregation_strategy="simple", device=-1)`` on the same model,
  with ``stride`` and the tokenizer's ``model_max_length`` set to our window size and overlap (without ``stride`` it
  truncates every text to one window), the same batch size and the same autocast dtype.

Hooks on the model also time its forward calls inside each ``predict`` and pipeline call: the ``outside model``
column is the rest of the call (our overhead, or the pipeline's), measured within one call, so other jobs' load
disturbs it far less than the difference of two separately timed medians; ``min s`` is the least disturbed run.
Tokens are the tokenizer's tokens of the texts (no special tokens, no window overlap), the same count for all
three. Peak RSS is the process's high-water mark (``resource.getrusage``) after each method's first timed call
(``QuoteExtractor`` first, then bare, then pipeline), so a later row includes everything before it. Timings on a
shared machine vary; compare rows of one run. ``--profile`` adds a cProfile of one ``QuoteExtractor`` call on the
news-like corpus.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import random
import resource
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

SEED_DIR = Path(__file__).resolve().parent.parent / "data" / "annotations" / "seed"
DOC_CHARS = 5_000  # size of one news-like document
OVERHEAD_TARGET = 0.15  # QuoteExtractor may take at most 15% longer than the bare forward pass


def seed_texts() -> list[str]:
    return [json.loads(path.read_text(encoding="utf-8"))["text"] for path in sorted(SEED_DIR.glob("*.json"))]


def news_like_corpus(texts: Sequence[str], total_bytes: int, seed: int = 0) -> list[str]:
    """Documents of about ``DOC_CHARS`` made of the seed paragraphs, reshuffled (fixed seed) each pass over them."""
    paragraphs = [p.strip() for text in texts for p in text.split("\n") if p.strip()]
    rng = random.Random(seed)
    pool: list[str] = []
    documents: list[str] = []
    size = 0
    while size < total_bytes:
        parts: list[str] = []
        while sum(len(p) + 2 for p in parts) < DOC_CHARS:
            if not pool:
                pool = paragraphs[:]
                rng.shuffle(pool)
            parts.append(pool.pop())
        documents.append("\n\n".join(parts))
        size += len(documents[-1].encode("utf-8"))
    return documents


def peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e9  # ru_maxrss is in KiB on Linux


class ForwardClock:
    """Seconds spent inside the model's forward calls during a call of ``run`` (hooks on the model), so that the
    time of a whole ``predict`` splits into model and everything else within one call."""

    def __init__(self, model: Any):
        self.seconds, self._started, self._enabled = 0.0, 0.0, False
        model.register_forward_pre_hook(self._pre)
        model.register_forward_hook(self._post)

    def _pre(self, *_: Any) -> None:
        self._started = time.perf_counter()

    def _post(self, *_: Any) -> None:
        if self._enabled:
            self.seconds += time.perf_counter() - self._started

    def split(self, run: Callable[[], Any], log: list[tuple[float, float]]) -> Callable[[], float]:
        """``run`` timed whole, with (total, inside forward) seconds appended to ``log``; returns the total."""

        def timed() -> float:
            self.seconds, self._enabled = 0.0, True
            started = time.perf_counter()
            try:
                run()
            finally:
                self._enabled = False
            total = time.perf_counter() - started
            log.append((total, self.seconds))
            return total

        return timed


def timed_rounds(
    methods: dict[str, Callable[[], float]],
    repeat: int,
    warm_up: bool,
    label: str = "",
    logs: dict[str, list[tuple[float, float]]] | None = None,
) -> tuple[dict[str, list[float]], dict[str, float]]:
    """Per method, ``repeat`` timings taken in interleaved rounds (each round starts one method later), so that load
    from other jobs hits all methods alike; a method returns its own timing in seconds. Also the peak RSS after
    each method's first timed call (methods of round 0 run in the given order)."""
    names = list(methods)
    if warm_up:
        for name in names:
            methods[name]()
    times: dict[str, list[float]] = {name: [] for name in names}
    rss: dict[str, float] = {}
    for round_ in range(repeat):
        for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
            times[name].append(methods[name]())
            split = (logs or {}).get(name)
            outside = f" ({split[-1][0] - split[-1][1]:.2f} s outside the model)" if split else ""
            print(f"  {label}round {round_ + 1}/{repeat}: {name} {times[name][-1]:.2f} s{outside}", file=sys.stderr)
            rss.setdefault(name, peak_rss_gb())
    return times, rss


def forward_batches(extractor: Any, texts: Sequence[str], batch_size: int) -> list[tuple[Any, Any]]:
    """(input ids, attention mask) batches on the extractor's device, built by the very functions ``predict`` uses."""
    from quotes.inference import batch_windows, tokenize_windows

    windows = tokenize_windows(extractor.tokenizer, texts, extractor.max_length, extractor.stride)
    pad = extractor.tokenizer.pad_token_id or 0
    return [
        (ids.to(extractor.device), mask.to(extractor.device))
        for _, ids, mask in batch_windows([w.ids for w in windows], batch_size, pad)
    ]


def bare_forward(extractor: Any, batches: list[tuple[Any, Any]]) -> float:
    """Seconds spent in the model's forward calls only."""
    import torch

    elapsed = 0.0
    with torch.inference_mode(), extractor.autocast():
        for ids, mask in batches:
            started = time.perf_counter()
            extractor.model(input_ids=ids, attention_mask=mask).logits  # noqa: B018 (the call is what we time)
            elapsed += time.perf_counter() - started
    return elapsed


def hf_pipeline(extractor: Any, model_dir: str | Path, batch_size: int) -> Callable[[Sequence[str]], Any]:
    """The stock token-classification pipeline, windowing as our extractor does (its own tokenizer copy)."""
    from transformers import pipeline

    from quotes.modeling import load_tokenizer

    tokenizer = load_tokenizer(str(model_dir))
    tokenizer.model_max_length = extractor.max_length  # the pipeline's window size; ours stays separate
    tagger = pipeline(
        "token-classification",
        model=extractor.model,
        tokenizer=tokenizer,
        aggregation_strategy="simple",
        device=-1,
        stride=extractor.stride,
        batch_size=batch_size,
    )

    def run(texts: Sequence[str]) -> Any:
        with extractor.autocast():
            return tagger(list(texts))

    return run


def profile_predict(extractor: Any, texts: Sequence[str], batch_size: int, top: int = 25) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    extractor.predict(list(texts), batch_size=batch_size)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(
        "inference.py|labels.py|boundaries.py|linking.py|coreference.py|text.py|data.py", top
    )
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="a model directory written by `quotes train`, or a Hub id")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per method and corpus (median reported)")
    parser.add_argument("--batch-size", type=int, default=16, help="windows per forward pass (all three methods)")
    parser.add_argument("--dtype", default="auto", choices=("auto", "fp32", "bf16", "fp16"), help="autocast dtype")
    parser.add_argument("--device", default=None, help="cpu, cuda, mps ... (default: the best one here)")
    parser.add_argument("--quick", action="store_true", help="0.2 MB of news-like text instead of 1 MB")
    parser.add_argument("--profile", action="store_true", help="cProfile one QuoteExtractor call on the news corpus")
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.batch_size < 1:
        parser.error("--repeat and --batch-size must be >= 1")

    import torch

    from quotes.inference import QuoteExtractor
    from quotes.modeling import quiet_transformers

    quiet_transformers()
    started = time.perf_counter()
    extractor = QuoteExtractor.from_pretrained(args.model, device=args.device, dtype=args.dtype)
    dtype = f"{str(extractor.autocast_dtype).removeprefix('torch.')} autocast" if extractor.autocast_dtype else "fp32"
    seed = seed_texts()
    megabytes = 0.2 if args.quick else 1.0
    corpora = {
        "seed articles": seed,
        f"news-like {megabytes:g} MB": news_like_corpus(seed, int(megabytes * 1_000_000)),
    }
    pipe = hf_pipeline(extractor, extractor.source or args.model, args.batch_size)
    print(
        f"model {args.model}: device {extractor.device}, dtype {dtype}, {torch.get_num_threads()} threads, "
        f"windows {extractor.max_length} tokens / overlap {extractor.stride}, batch size {args.batch_size}, "
        f"median of {args.repeat} interleaved runs"
    )

    clock = ForwardClock(extractor.model)
    names = ("bare forward", "QuoteExtractor", "HF pipeline")
    results: dict[str, dict[str, Any]] = {}
    for number, (name, texts) in enumerate(corpora.items()):
        batches = forward_batches(extractor, texts, args.batch_size)
        logs: dict[str, list[tuple[float, float]]] = {"QuoteExtractor": [], "HF pipeline": []}
        methods: dict[str, Callable[[], float]] = {  # QuoteExtractor first: its peak RSS is not inflated by the others
            "QuoteExtractor": clock.split(
                lambda texts=texts: extractor.predict(list(texts), batch_size=args.batch_size), logs["QuoteExtractor"]
            ),
            "bare forward": lambda batches=batches: bare_forward(extractor, batches),
            "HF pipeline": clock.split(lambda texts=texts: pipe(texts), logs["HF pipeline"]),
        }
        times, rss = timed_rounds(methods, args.repeat, warm_up=number == 0, label=f"{name}: ", logs=logs)
        result: dict[str, Any] = {
            "docs": len(texts),
            "tokens": sum(len(ids) for ids in extractor.tokenizer(list(texts), add_special_tokens=False)["input_ids"]),
            "windows": sum(len(ids) for ids, _ in batches),
        }
        for method in names:
            timed = logs.get(method, [])[-args.repeat :]  # the warm-up call is logged too
            result[method] = {
                "median": statistics.median(times[method]),
                "min": min(times[method]),
                "outside": statistics.median(total - inside for total, inside in timed) if timed else 0.0,
                "inside": statistics.median(inside for _, inside in timed) if timed else None,
                "rss": rss[method],
            }
        results[name] = result

    print()
    header = (
        f"{'corpus':<17} {'docs':>4} {'tokens':>7} {'windows':>7}  {'method':<14} {'median s':>8} {'min s':>6} "
        f"{'docs/s':>6} {'tokens/s':>8} {'vs bare':>7} {'outside model':>13} {'peak RSS':>8}"
    )
    print(header)
    print("-" * len(header))
    verdicts = []
    for name, result in results.items():
        bare = result["bare forward"]["median"]
        for method in names:
            row = result[method]
            print(
                f"{name:<17} {result['docs']:>4} {result['tokens']:>7,} {result['windows']:>7}  {method:<14} "
                f"{row['median']:>8.2f} {row['min']:>6.2f} {result['docs'] / row['median']:>6.1f} "
                f"{result['tokens'] / row['median']:>8,.0f} {row['median'] / bare - 1:>+7.0%} "
                f"{row['outside']:>11.2f} s {row['rss']:>5.2f} GB"
            )
        ours, hf = result["QuoteExtractor"], result["HF pipeline"]
        overhead, in_call = ours["median"] / bare - 1, ours["outside"] / ours["inside"]
        verdicts.append(
            f"{name}: overhead over the bare forward pass {overhead:+.1%} (target <= {OVERHEAD_TARGET:.0%}): "
            f"{'met' if overhead <= OVERHEAD_TARGET else 'NOT met'} ({ours['median']:.2f} s vs {bare:.2f} s; "
            f"fastest runs {ours['min'] / result['bare forward']['min'] - 1:+.1%}); "
            f"within one predict call {ours['outside']:.2f} s outside vs {ours['inside']:.2f} s inside the model "
            f"= {in_call:+.1%}: {'met' if in_call <= OVERHEAD_TARGET else 'NOT met'}"
        )
        verdicts.append(
            f"{name}: speed-up over the HF pipeline {hf['median'] / ours['median']:.2f}x (target > 1x): "
            f"{'met' if ours['median'] < hf['median'] else 'NOT met'} ({ours['median']:.2f} s vs {hf['median']:.2f} s; "
            f"fastest runs {hf['min'] / ours['min']:.2f}x; "
            f"outside the model {ours['outside']:.2f} s vs {hf['outside']:.2f} s)"
        )
    print()
    for verdict in verdicts:
        print(verdict)
    print(f"dtype: {dtype}; peak RSS of the whole benchmark: {peak_rss_gb():.2f} GB")
    print(f"total run time {time.perf_counter() - started:.0f} s (timings vary with other jobs on the machine)")

    if args.profile:
        print()
        print(profile_predict(extractor, list(corpora.values())[1], args.batch_size))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
