"""Benchmark bulk prediction: throughput and peak memory of ``quotes predict`` over a synthetic news archive.

Builds an archive of seeded, invented news articles offline (templates, made-up names), then runs ``quotes predict``
as a fresh process on the first 1k and on all 10k documents (peak RSS should stay flat: the archive streams), with
two processes under ``torchrun`` (output checked byte for byte against one process), and times the bare forward
pass over the windows of a sample, the ceiling for end-to-end throughput.

    nice python scripts/bench_bulk.py --model runs/seed                      # 1k and 10k documents, 1 and 2 processes
    nice python scripts/bench_bulk.py --model runs/tiny --sizes 200,1000     # a quick run
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SYLLABLES = "ka ro vin mel dra to shi ven lu mar bek ose ta ni grav por ul zen ike dor".split()
ROLES = ["minister", "spokesperson", "governor", "mayor", "analyst", "professor", "chief executive", "senator"]
VERBS = ["said", "told reporters", "added", "posted", "wrote", "stressed", "warned", "explained"]
TOPICS = ["the budget", "the new bridge", "the floods", "the trade talks", "the election", "the strike", "the vaccine"]
CLAUSES = [
    "{topic} would be decided by the end of the month",
    "nobody had expected {topic} to move so fast",
    "the council was not ready to discuss {topic}",
    "{topic} had cost the region far more than planned",
    "talks on {topic} would resume next week",
]


def invented_name(rng: random.Random) -> str:
    def word() -> str:
        return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()

    return f"{word()} {word()}"


def article(rng: random.Random, paragraphs: int) -> str:
    """A news-like article: reported speech, direct quotes with and without cues, and plain narration."""
    people = [(invented_name(rng), rng.choice(ROLES)) for _ in range(3)]
    place = invented_name(rng).split()[0]
    out = []
    for _ in range(paragraphs):
        (name, role), topic = rng.choice(people), rng.choice(TOPICS)
        clause = rng.choice(CLAUSES).format(topic=topic)
        surname = name.split()[1]
        out.append(
            rng.choice(
                [
                    f"{name}, the {role} of {place}, {rng.choice(VERBS)} on Monday that {clause}.",
                    f"‘{clause.capitalize()},’ {surname} {rng.choice(VERBS)}. ‘We will not wait.’",
                    f"The {role} {rng.choice(VERBS)}: “{clause.capitalize()}.”",
                    f"According to officials in {place}, {clause}.",
                    f"Crowds gathered in {place} as {topic} dominated the news for a third day.",
                ]
            )
        )
    return "\n\n".join(out) + "\n"


def build_archive(path: Path, count: int, seed: int, paragraphs: int) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as handle:
        for number in range(count):
            text = article(rng, rng.randint(paragraphs // 2, paragraphs))
            handle.write(json.dumps({"id": f"doc-{number:06d}", "text": text}, ensure_ascii=False) + "\n")


def head(source: Path, target: Path, count: int) -> None:
    with source.open(encoding="utf-8") as lines, target.open("w", encoding="utf-8") as out:
        for _, line in zip(range(count), lines):
            out.write(line)


def measured(command: list[str]) -> tuple[float, float]:
    """Wall seconds and the peak RSS (MB) of the largest process ``command`` starts (run in a fresh wrapper)."""
    wrapper = (
        "import resource, subprocess, sys, time; t = time.perf_counter(); "
        "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
        "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    result = subprocess.run([sys.executable, "-c", wrapper, *command], env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"failed: {' '.join(command)}\n{result.stderr[-3000:]}")
    seconds, rss = result.stdout.split()
    return float(seconds), float(rss)


def document_tokens(model: str, archive: Path) -> int:
    from quotes.bulk import iter_documents, load_predictor

    tokenizer = getattr(load_predictor(model), "tokenizer", None)
    texts = [d.text for d in iter_documents([archive])]
    if tokenizer is None:  # the rule baseline: count words
        return sum(len(t.split()) for t in texts)
    return sum(len(ids) for ids in tokenizer(texts, add_special_tokens=False)["input_ids"])


def bare_forward(model: str, archive: Path, sample: int, batch_size: int) -> tuple[float, int]:
    """Seconds of the model's forward passes alone over the windows of the first ``sample`` documents."""
    import torch

    from quotes.bulk import iter_documents, load_predictor
    from quotes.data import encode_windows

    extractor = load_predictor(model)
    texts = [d.text for _, d in zip(range(sample), iter_documents([archive]))]
    windows = sorted(
        encode_windows(extractor.tokenizer, texts, extractor.max_length, extractor.stride)["input_ids"], key=len
    )
    tokens = sum(len(ids) for ids in extractor.tokenizer(texts, add_special_tokens=False)["input_ids"])
    dtype = extractor.autocast_dtype
    start = time.perf_counter()
    with torch.inference_mode(), torch.autocast("cpu", dtype=dtype or torch.float32, enabled=dtype is not None):
        for begin in range(0, len(windows), batch_size):
            batch = windows[begin : begin + batch_size]
            width = max(map(len, batch))
            ids = torch.zeros((len(batch), width), dtype=torch.long)
            mask = torch.zeros((len(batch), width), dtype=torch.long)
            for row, window in enumerate(batch):
                ids[row, : len(window)] = torch.tensor(window)
                mask[row, : len(window)] = 1
            extractor.model(input_ids=ids, attention_mask=mask)
    return time.perf_counter() - start, tokens


def rss_curve(model: str, archive: Path, points: int = 10) -> None:
    """Print the resident memory while one process streams ``archive`` (run in a fresh process: --curve)."""
    from quotes.bulk import iter_documents, load_predictor

    total = sum(1 for _ in iter_documents([archive]))
    extractor = load_predictor(model)
    for number, _ in enumerate(extractor.predict_stream(iter_documents([archive])), start=1):
        if number % max(1, total // points) == 0:
            resident = int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
            print(f"  after {number:>7} documents: RSS {resident:.0f} MB", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True, help="a model directory, or `rules`")
    parser.add_argument("--sizes", default="1000,10000", help="archive sizes (documents) for the 1-process runs")
    parser.add_argument("--paragraphs", type=int, default=6, help="most paragraphs per article (at least half)")
    parser.add_argument("--sample", type=int, default=300, help="documents timed in the bare forward pass")
    parser.add_argument("--two-size", type=int, help="documents in the 2-process run (default: the largest size)")
    parser.add_argument("--no-two", action="store_true", help="skip the 2-process run")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--curve", action="store_true", help="also print RSS while one process streams the archive")
    parser.add_argument("--curve-of", help=argparse.SUPPRESS)  # the child process that streams
    args = parser.parse_args()
    if args.curve_of:
        rss_curve(args.model, Path(args.curve_of))
        return
    sizes = sorted(int(s) for s in args.sizes.split(","))

    with tempfile.TemporaryDirectory(prefix="bench-bulk-") as tmp:
        work = Path(tmp)
        full = work / f"archive-{sizes[-1]}.jsonl"
        build_archive(full, sizes[-1], args.seed, args.paragraphs)
        rows = []
        predict = [sys.executable, "-m", "quotes", "predict", "--model", args.model]
        head(full, work / "one.jsonl", 1)  # start-up (imports, model load) is timed apart from throughput
        startup, startup_rss = measured([*predict, str(work / "one.jsonl"), "-o", str(work / "one-out.jsonl")])
        for size in sizes:
            archive = work / f"archive-{size}.jsonl"
            if archive != full:
                head(full, archive, size)
            tokens = document_tokens(args.model, archive)
            seconds, rss = measured([*predict, str(archive), "-o", str(work / f"one-{size}.jsonl")])
            rows.append(("1 process", size, tokens, seconds, rss))
        if not args.no_two:
            torchrun = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2"]
            two_size = args.two_size or sizes[-1]
            command = [
                *torchrun,
                "-m",
                "quotes",
                "predict",
                "--model",
                args.model,
                str(work / f"archive-{two_size}.jsonl"),
            ]
            os.environ["OMP_NUM_THREADS"] = str(max(1, (os.cpu_count() or 2) // 2))  # the cores, shared out
            seconds, rss = measured([*command, "-o", str(work / "two.jsonl")])
            del os.environ["OMP_NUM_THREADS"]
            rows.append(("2 processes", two_size, rows[sizes.index(two_size)][2], seconds, rss))
            same = (work / "two.jsonl").read_bytes() == (work / f"one-{two_size}.jsonl").read_bytes()
        bare = bare_forward(args.model, full, args.sample, 16) if args.model != "rules" else None
        if args.curve:
            curve = [sys.executable, __file__, "--model", args.model, "--curve-of", str(full)]
            env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "HF_HUB_OFFLINE": "1"}
            curve_out = subprocess.run(curve, env=env, capture_output=True, text=True, check=True).stdout

    print(f"model {args.model}; {os.cpu_count()} CPU cores; articles of up to {args.paragraphs} paragraphs")
    print(f"start-up (imports, model load, 1 document): {startup:.1f} s, peak RSS {startup_rss:.0f} MB")
    print("throughput below: (documents or tokens) / (wall seconds - start-up)")
    print(f"{'run':<12} {'docs':>7} {'tokens':>10} {'seconds':>9} {'docs/s':>8} {'tokens/s':>9} {'peak RSS MB':>12}")
    for name, size, tokens, seconds, rss in rows:
        net = seconds - startup
        rates = f"{size / net:>8.1f} {tokens / net:>9.0f}" if net > 0 else f"{'-':>8} {'-':>9}"  # load swings
        print(f"{name:<12} {size:>7} {tokens:>10} {seconds:>9.1f} {rates} {rss:>12.0f}")
    if not args.no_two:
        print(f"2-process output identical to 1 process: {same}")
    if args.curve:
        print(f"resident memory while one process streams {sizes[-1]} documents:")
        print(curve_out, end="")
    if bare is not None:
        seconds, tokens = bare
        end_to_end = rows[len(sizes) - 1][2] / (rows[len(sizes) - 1][3] - startup)
        print(
            f"bare forward pass ({args.sample} docs, batch 16): {tokens / seconds:.0f} document tokens/s; "
            f"end to end (1 process, {sizes[-1]} docs) reaches {end_to_end / (tokens / seconds):.0%} of it"
        )


if __name__ == "__main__":
    main()
