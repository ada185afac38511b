"""Wall time and peak memory of one ``quotes train`` run, against the targets for its config, plus its test scores.

Usage:
    python scripts/bench_train.py [--config configs/seed.yaml] [--keep] [--section.key=value ...]

The run is ``python -m quotes train CONFIG OVERRIDES`` in a subprocess (its output goes to the terminal), in a
temporary output directory that is removed afterwards, unless ``--training.output_dir=...`` is given (then the model
stays) or ``--keep``. Every 0.2 s the script sums the RSS of the process and all its children (psutil), so memory
of data-loader workers or of several training processes counts; the peak of that sum is the figure checked. Wall
time runs from the start of the subprocess to its exit, imports included. Also printed: CPU time of the run
(``getrusage`` of children) and the load average before and after, because other jobs on the machine slow a run
down; figures vary by 20% or more on a shared machine.

Targets: ``configs/seed.yaml`` at most 5 minutes and 4 GB; a PolNeAR config (name containing ``polnear``) at most
60 minutes. Other configs are measured without a target.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

POLL_S = 0.2  # how often the process tree's memory is sampled
GB = 1e9


def targets_for(config: str) -> tuple[float | None, float | None]:
    """(wall-time limit in seconds, peak-memory limit in GB) for a config file; None where there is none."""
    name = Path(config).stem.lower()
    if name == "seed":
        return 5 * 60, 4.0
    if "polnear" in name:
        return 60 * 60, None
    return None, None


def tree_rss(process: psutil.Process) -> tuple[int, int]:
    """Summed RSS in bytes of ``process`` and all its descendants, and how many processes that is."""
    total = count = 0
    try:
        members = [process, *process.children(recursive=True)]
    except psutil.Error:
        return 0, 0
    for member in members:
        try:
            total += member.memory_info().rss
            count += 1
        except psutil.Error:  # exited between listing and reading
            pass
    return total, count


def run_and_watch(command: list[str]) -> dict[str, Any]:
    """Run ``command``; its exit code, wall seconds, peak tree RSS (bytes), processes at that peak, CPU seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    child = subprocess.Popen(command, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    watched = psutil.Process(child.pid)
    peak = peak_count = samples = 0
    while child.poll() is None:
        rss, count = tree_rss(watched)
        samples += 1
        if rss > peak:
            peak, peak_count = rss, count
        time.sleep(POLL_S)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {
        "returncode": child.returncode,
        "wall_s": wall,
        "peak_rss": peak,
        "peak_processes": peak_count,
        "samples": samples,
        "cpu_s": cpu,
        "largest_child_rss": after.ru_maxrss * 1024,  # KiB on Linux; one process's own peak, a cross-check
    }


def verdict(value: float, limit: float | None, unit: str, what: str) -> str:
    if limit is None:
        return f"{what} {value:.2f} {unit} (no target for this config)"
    return f"{what} {value:.2f} {unit} (target <= {limit:g} {unit}): {'met' if value <= limit else 'NOT met'}"


def print_metrics(metrics: dict[str, Any]) -> None:
    for split in ("validation", "test"):
        row = metrics.get(split)
        if not row:
            continue
        print(f"{split} metrics (metrics.json, seqeval strict IOB2 spans):")
        print(f"  {'label':<8} {'P':>6} {'R':>6} {'F1':>6}")
        for label, prefix in (("micro", ""), ("QUOTE", "QUOTE_"), ("SPEAKER", "SPEAKER_"), ("CUE", "CUE_")):
            scores = [row.get(f"{split}_{prefix}{kind}", float("nan")) for kind in ("precision", "recall", "f1")]
            print(f"  {label:<8} " + " ".join(f"{score:>6.3f}" for score in scores))
        if f"{split}_loss" in row:
            print(f"  loss {row[f'{split}_loss']:.4f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], epilog="Any other --section.key=value is passed to `quotes train`."
    )
    parser.add_argument("--config", default="configs/seed.yaml", help="YAML config (default: configs/seed.yaml)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary output directory")
    args, overrides = parser.parse_known_args(argv)

    from quotes.config import ConfigError, load_config, parse_overrides

    try:
        given_dir = parse_overrides(overrides).get("training.output_dir")
        load_config(args.config, overrides)  # a bad config fails here, before any time is measured
    except ConfigError as error:
        print(f"bench_train: {error}", file=sys.stderr)
        return 2
    output_dir = Path(given_dir) if given_dir else Path(tempfile.mkdtemp(prefix="bench_train_"))
    run_overrides = overrides if given_dir else [*overrides, f"--training.output_dir={output_dir}"]
    command = [sys.executable, "-m", "quotes", "train", args.config, *run_overrides]
    reproduce = shlex.join(["python", "scripts/bench_train.py", "--config", args.config, *overrides])
    print(f"bench_train: {shlex.join(command)}", flush=True)

    load_before = os.getloadavg()[0]
    result = run_and_watch(command)
    load_after = os.getloadavg()[0]

    wall_limit, memory_limit = targets_for(args.config)
    metrics_file = output_dir / "metrics.json"
    metrics = json.loads(metrics_file.read_text(encoding="utf-8")) if metrics_file.is_file() else {}
    cores = os.cpu_count() or 1
    print()
    print(f"bench_train: {args.config} {' '.join(overrides)}".rstrip())
    print(f"  exit code       {result['returncode']}")
    inner = f" (training's own wall_time_s: {metrics['wall_time_s']} s)" if "wall_time_s" in metrics else ""
    print(f"  wall time       {result['wall_s']:.1f} s = {result['wall_s'] / 60:.2f} min{inner}")
    print(
        f"  peak RSS        {result['peak_rss'] / GB:.2f} GB summed over {result['peak_processes']} process(es) "
        f"({result['samples']} samples every {POLL_S} s; "
        f"largest single process {result['largest_child_rss'] / GB:.2f} GB)"
    )
    print(
        f"  CPU time        {result['cpu_s']:.0f} s = {result['cpu_s'] / result['wall_s']:.2f} of {cores} cores busy "
        f"on average; load average {load_before:.2f} before, {load_after:.2f} after (other jobs slow runs down)"
    )
    print("targets:")
    print("  " + verdict(result["wall_s"] / 60, wall_limit / 60 if wall_limit else None, "min", "wall time"))
    print("  " + verdict(result["peak_rss"] / GB, memory_limit, "GB", "peak memory"))
    if metrics:
        print_metrics(metrics)
    else:
        print(f"no metrics: {metrics_file} was not written")
    print(f"reproduce: {reproduce}")
    print(f"  which runs: {shlex.join(['quotes', 'train', args.config, *run_overrides])}")
    if given_dir or args.keep:
        print(f"model kept in {output_dir}")
    else:
        shutil.rmtree(output_dir, ignore_errors=True)
    return result["returncode"]


if __name__ == "__main__":
    raise SystemExit(main())
