"""The ``quotes`` command: validate, convert, train, predict and evaluate.

Exit codes: 0 success, 1 an evaluation threshold failed, 2 bad input (invalid data, config or arguments).
Heavy imports (torch, transformers) happen inside the subcommands that need them, so ``quotes --help`` and
``quotes validate`` start instantly.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shlex
import sys
from pathlib import Path
from typing import Any

from quotes import __version__

EXIT_OK, EXIT_THRESHOLD, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


def _fail(message: str) -> int:
    print(f"quotes: error: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


# --------------------------------------------------------------------------------------------------------------
# validate / convert
# --------------------------------------------------------------------------------------------------------------


def cmd_validate(args: argparse.Namespace) -> int:
    from quotes.data import scan_documents

    documents, issues = scan_documents(args.paths)  # one call, so duplicate ids are found across arguments
    for issue in issues:
        print(issue, file=sys.stderr)
    quotes = sum(len(d.quotes) for d in documents)
    if issues:
        print(f"{len(issues)} problem(s); {len(documents)} valid document(s)", file=sys.stderr)
        return EXIT_BAD_INPUT
    unlinked = sum(len(d.unlinked_spans) for d in documents)
    extra = f", {unlinked} spans without records (CoNLL keeps no linking)" if unlinked else ""
    print(f"ok: {len(documents)} documents, {quotes} quotes{extra}")
    return EXIT_OK


CONLL_OUTPUTS = (".conll", ".bio", ".txt")
JSON_OUTPUTS = (".jsonl", ".json")


def cmd_convert(args: argparse.Namespace) -> int:
    from quotes.data import read_documents

    output = Path(args.output)
    if output.suffix not in (*JSON_OUTPUTS, *CONLL_OUTPUTS):
        return _fail(f"{output}: unsupported output type {output.suffix!r} (use .jsonl, .json or .conll)")
    if output.is_dir():
        return _fail(f"{output}: is a directory; give a file name such as {output / 'gold.jsonl'}")
    documents = read_documents(args.inputs, attributions=args.attributions)
    if output.suffix in CONLL_OUTPUTS:
        from quotes.conll import LOST_IN_CONLL, write_conll

        write_conll(documents, output)
        print(
            f"quotes: note: CoNLL keeps tokens and BIO tags only; lost: {LOST_IN_CONLL}. Read back, it gives "
            "documents with spans but no quote records (enough to train on, not for record-level evaluation)",
            file=sys.stderr,
        )
        if output.suffix == ".txt":
            print("quotes: note: name it .conll to read it back (a .txt file reads as plain text)", file=sys.stderr)
    else:
        from quotes.citron import write_documents

        write_documents(documents, output)
        unlinked = sum(1 for d in documents if d.unlinked_spans)
        if unlinked:
            print(
                f"quotes: note: {unlinked} document(s) have spans but no quote records (read from CoNLL); they are "
                "written under `unlinked_spans`",
                file=sys.stderr,
            )
    print(f"wrote {len(documents)} documents, {sum(len(d.quotes) for d in documents)} quotes to {output}")
    return EXIT_OK


# --------------------------------------------------------------------------------------------------------------
# train
# --------------------------------------------------------------------------------------------------------------


def cmd_train(args: argparse.Namespace, overrides: list[str]) -> int:
    from quotes.config import load_config

    config = load_config(args.config, overrides)  # ConfigError -> exit 2 before anything heavy loads
    command = shlex.join(["quotes", "train", args.config, *overrides])
    try:
        from quotes.modeling import quiet_transformers
        from quotes.run_folder import TrainingInterrupted
        from quotes.training import train

        quiet_transformers()
        resume: bool | str = args.resume if args.resume not in (None, "last") else args.resume == "last"
        output = train(config, resume=resume, overwrite=args.overwrite)
    except KeyboardInterrupt as stop:
        checkpoint = getattr(stop, "checkpoint", None)
        if checkpoint is not None:
            print(f"quotes: interrupted: the last complete checkpoint is {checkpoint}", file=sys.stderr)
            print(f"resume with: {command} --resume", file=sys.stderr)
        elif isinstance(stop, TrainingInterrupted):
            print(f"quotes: interrupted before the first checkpoint; start again with: {command}", file=sys.stderr)
        else:
            print("quotes: interrupted before training started; nothing was written", file=sys.stderr)
        return EXIT_INTERRUPTED
    if os.environ.get("RANK", "0") != "0":
        return EXIT_OK  # with torchrun/accelerate, rank 0 reports for all processes
    from quotes.model_card import KINDS, metric_key

    metrics = json.loads((output / "metrics.json").read_text(encoding="utf-8"))
    for split in ("validation", "test"):
        if split in metrics:  # a missing key is our bug: KeyError, never a silent 0.000
            names = (metric_key(split, kind) for kind in KINDS)
            print(f"{split}: " + ", ".join(f"{name[len(split) + 1 :]} {metrics[split][name]:.3f}" for name in names))
    print(f"model saved to {output} ({metrics.get('wall_time_s')} s)")
    return EXIT_OK


def cmd_config(args: argparse.Namespace, overrides: list[str]) -> int:
    """Print the resolved config (defaults, the file's delta and the overrides) as YAML; exit 2 when it is invalid."""
    from quotes.config import load_config

    sys.stdout.write(load_config(args.config, overrides).to_yaml())
    return EXIT_OK


def _config_keys_help() -> str:
    """Every config key with its default and its comment from ``quotes.config`` (one source of truth)."""
    import textwrap

    from quotes.config import describe_keys

    lines = ["config keys (section.key = default), each overridable as --section.key=VALUE:"]
    for key, default, comment in describe_keys():
        lines.append(f"  {key} = {default}")
        if comment:
            lines += textwrap.wrap(comment, width=100, initial_indent="      ", subsequent_indent="      ")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------------------------
# predict
# --------------------------------------------------------------------------------------------------------------


def _read_inputs(files: list[str], stdin_format: str = "text", output: Path | None = None) -> Any:
    """A function that reads the inputs afresh each call: documents (id, text, where) one at a time.

    ``.txt`` files and stdin text are decoded from bytes with no newline translation (offsets index the user's
    bytes exactly); ``.json``/``.jsonl`` files and folders of them are read as ``{"id", "text"}`` documents.
    """
    from quotes.bulk import iter_documents

    return lambda: iter_documents(files, stdin=sys.stdin, stdin_format=stdin_format, exclude=output)


def format_text(doc_id: str, records: list[Any]) -> str:
    """A plain listing for people: one numbered line per quote with speaker, cue, content and score."""
    lines = [f"# {doc_id}: {len(records)} quote(s)"]
    for number, record in enumerate(records, start=1):
        speaker = " / ".join(s.text for s in record.sources) or "(no speaker)"
        if record.coreferences:
            speaker += f" (= {record.coreferences[0].text})"
        cue = record.cue.text if record.cue else "-"
        content = " … ".join(" ".join(c.text.split()) for c in record.contents)
        lines.append(f"[{number}] {speaker} | {cue} | {content} | score {record.score:.2f}")
    return "\n".join(lines)


def cmd_predict(args: argparse.Namespace) -> int:
    """Stream documents through the model chunk by chunk, writing each result line as soon as its chunk is done.

    Everything about the input and output is checked before the model loads; under ``torchrun`` each rank writes
    its shard to a part file and rank 0 merges them in input order (see :mod:`quotes.bulk`).
    """
    import math
    from itertools import chain, islice

    from quotes import bulk

    def _formatted(prediction: Any, fmt: str) -> str:
        """One document's output in ``fmt``, ending in a newline."""
        if fmt == "jsonl":
            return prediction.to_json_line()
        if fmt == "citron":  # the spec's format exactly: no score fields
            return json.dumps(prediction.to_dict(include_scores=False), ensure_ascii=False, indent=2) + "\n"
        if fmt == "text":
            return format_text(prediction.id, list(prediction.records)) + "\n"
        from quotes.render import render_document_html

        return render_document_html(prediction.text, list(prediction.records), title=prediction.id) + "\n"

    rank, world = int(os.environ.get("RANK", "0")), int(os.environ.get("WORLD_SIZE", "1"))
    output = Path(args.output) if args.output else None
    single = args.format in ("citron", "html")  # formats that hold exactly one document
    if args.batch_size < 1 or args.chunk_size < 1:
        return _fail(f"--batch-size and --chunk-size must be >= 1, got {args.batch_size} and {args.chunk_size}")
    if args.min_score is not None and not (math.isfinite(args.min_score) and 0 <= args.min_score <= 1):
        return _fail(f"--min-score must be a number from 0 to 1, got {args.min_score}")
    if args.resume and (output is None or args.format != "jsonl"):
        return _fail("--resume appends to a JSONL file: give -o FILE.jsonl (and --format jsonl, the default)")
    if args.boundaries is not None and args.model == "rules":
        return _fail(_BOUNDARIES_RULES)
    if (world > 1 or args.engine == "ray") and (args.format != "jsonl" or not args.files):
        where = f"{world} processes" if world > 1 else "--engine ray"
        return _fail(f"with {where}, predict reads files (not stdin) and writes --format jsonl")
    if world > 1 and output is None:
        return _fail(f"with {world} processes, give -o FILE.jsonl: rank 0 merges the ranks' parts into it")
    if world > 1 and args.engine == "ray":
        return _fail("--engine ray starts its own workers: run it as one process, not under torchrun")
    try:
        if output is not None:
            bulk.check_output_path(output)
        read = _read_inputs(args.files, args.stdin_format, output)  # an output inside an input folder is no input
        if args.files:  # a first pass checks every document (UTF-8, JSON, unique ids) before the model loads
            total: int | None = sum(1 for _ in read())
            documents = read
        else:  # stdin is read once
            stream = read()
            first = list(islice(stream, 2 if single else 1))
            total = len(first) if args.stdin_format == "text" or len(first) < (2 if single else 1) else None
            documents = lambda: chain(first, stream)  # noqa: E731
        if total == 0:
            return _fail("the input holds no documents (empty file or stdin, or JSONL with only blank lines)")
        if single and (total is None or total > 1):
            what = "one document; use --format jsonl for several inputs"
            if args.format == "html":
                what = "one page per document; give one input (or use --format jsonl)"
            return _fail(f"--format {args.format} writes {what}")
        target = bulk.part_path(output, rank, world) if world > 1 and output is not None else output
        done = bulk.finished_ids(target) if args.resume and target is not None else set()
    except bulk.InputError as error:
        return _fail(str(error))

    if args.engine == "ray" and args.model != "rules" and not (Path(args.model) / "config.json").is_file():
        return _fail(f"{args.model}: not a model directory (no config.json); train one with `quotes train`")
    shard_total = None
    if total is not None:
        chunks = -(-total // args.chunk_size)
        shard_total = sum(min(args.chunk_size, total - k * args.chunk_size) for k in range(rank, chunks, world))
    handle: Any = None
    progress: Any = None
    written = quotes = 0
    try:
        local = args.engine == "local"
        predictor = bulk.load_predictor(args.model, device=args.device, boundaries=args.boundaries) if local else None
        shown = args.progress == "on" or (args.progress == "auto" and sys.stderr.isatty())
        progress = bulk.Progress(predictor, shard_total, len(done), enabled=rank == 0 and shown)
        if target is not None:
            handle = target.open("a" if args.resume else "w", encoding="utf-8", newline="")
        else:
            handle = sys.stdout
        if args.engine == "ray":
            lines = bulk.predict_with_ray(
                args.model,
                documents(),
                num_workers=args.workers,
                batch_size=args.batch_size,
                chunk_size=args.chunk_size,
                min_score=args.min_score,
                device=args.device,
                boundaries=args.boundaries,
                done=done.__contains__,
            )
            for line in lines:
                handle.write(line)
                handle.flush()
                written += 1
                quotes += len(json.loads(line)["quotes"])
        else:
            predictions = bulk.predict_documents(
                predictor,
                documents(),
                batch_size=args.batch_size,
                chunk_size=args.chunk_size,
                min_score=args.min_score,
                rank=rank,
                world_size=world,
                done=done.__contains__,
            )
            for prediction in predictions:
                handle.write(_formatted(prediction, args.format))
                handle.flush()  # a whole document at a time: a crash loses at most the chunk in flight
                progress.update(prediction)
                written += 1
                quotes += len(prediction.records)
    except bulk.InputError as error:  # a bad line further down stdin: what came before it is written
        return _fail(str(error))
    except KeyboardInterrupt:
        where = f" to {target}" if target is not None else ""
        hint = "; run the same command with --resume to go on" if target is not None and args.format == "jsonl" else ""
        print(f"quotes: interrupted after {written} document(s) written{where}{hint}", file=sys.stderr)
        return 130
    finally:
        if progress is not None:
            progress.close()
        if handle is not None and handle is not sys.stdout:
            handle.close()

    if world > 1:
        bulk.wait_for_all_ranks()
        if rank != 0:
            return EXIT_OK
        try:
            written, quotes = bulk.merge_parts(output, (d.id for d in documents()), args.chunk_size, world)
        except bulk.InputError as error:
            return _fail(str(error))
    if output is not None and rank == 0:
        skipped = f" ({len(done)} already there)" if args.resume and world == 1 else ""
        if world > 1:
            skipped += f", merged from {world} processes"
        print(f"wrote {quotes} quotes from {written} document(s) to {output}{skipped}", file=sys.stderr)
    return EXIT_OK


# --------------------------------------------------------------------------------------------------------------
# evaluate
# --------------------------------------------------------------------------------------------------------------


def cmd_evaluate(args: argparse.Namespace) -> int:
    import warnings

    from quotes.evaluation import evaluate, parse_thresholds
    from quotes.report import load_previous

    with warnings.catch_warnings(record=True) as caught:  # deprecated threshold keys: say so in our own words
        warnings.simplefilter("always", FutureWarning)
        thresholds = parse_thresholds(args.fail_under)  # None when not given; "" or "," is an error, never no gate
    for warning in caught:
        print(f"quotes: warning: {warning.message}", file=sys.stderr)
    if args.compare is not None:
        load_previous(args.compare)  # exit 2 before the model loads
    if args.report_dir is not None:
        blocker = next((p for p in (Path(args.report_dir), *Path(args.report_dir).parents) if p.is_file()), None)
        if blocker is not None:
            return _fail(f"--report-dir {args.report_dir}: {blocker} is a file; give a directory")
    if args.boundaries is not None and args.model == "rules":
        return _fail(_BOUNDARIES_RULES)
    if args.model != "rules":
        from quotes.modeling import quiet_transformers

        quiet_transformers()
    report = evaluate(
        args.model,
        args.data,
        report_dir=args.report_dir,
        fail_under=thresholds,
        batch_size=args.batch_size,
        baseline=not args.no_baseline,
        compare_with=args.compare,
        progress=None if args.progress == "auto" else args.progress == "on",
        boundaries=args.boundaries,
    )
    if args.report_dir is not None:  # print what report.md holds, plot links included
        print(Path(args.report_dir, "report.md").read_text(encoding="utf-8"))
    else:
        from quotes.markdown import render_report_markdown

        print(render_report_markdown(report))
    if report.failures:
        for failure in report.failures:
            print(f"quotes: threshold failed: {failure}", file=sys.stderr)
        return EXIT_THRESHOLD
    return EXIT_OK


# --------------------------------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="quotes",
        description=(
            "Find quotations in news text and who said them: QUOTE, SPEAKER and CUE spans linked into quote records. "
            "Run `quotes COMMAND --help` for a command's options and examples. Exit codes: 0 ok, 1 an evaluation "
            "threshold failed, 2 bad input (data, config, arguments, paths), 130 interrupted (Ctrl-C)."
        ),
    )
    parser.add_argument("--version", action="version", version=f"quotes {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    commands = parser.add_subparsers(dest="command", required=True)

    validate = commands.add_parser(
        "validate",
        help="check gold files (Citron JSON/JSONL, CoNLL, BRAT dirs); exit 2 on errors or when nothing is found",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Check gold files and list every problem with file, line, document id and field path\n"
        "(quotes[3].contents[0].end); exit 2 on any problem or when nothing is found.",
        epilog="examples:\n  quotes validate data/annotations\n  quotes validate gold.jsonl /path/to/polnear/dev",
    )
    validate.add_argument("paths", nargs="+", help="files or directories")

    convert = commands.add_parser(
        "convert",
        help="convert gold data: BRAT/JSON/CoNLL in, .jsonl/.json or CoNLL (.conll) out",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Read gold data in any format quotes reads and write it as Citron JSON/JSONL or CoNLL, by the\n"
        "output's suffix. CoNLL keeps tokens and tags only (no records, ids or whitespace); convert says so.",
        epilog="examples:\n  quotes convert /path/to/polnear/dev -o polnear-dev.jsonl --attributions communication\n"
        "  quotes convert data/annotations/splits/train.jsonl -o train.conll",
    )
    convert.add_argument("inputs", nargs="+", help="files or directories (BRAT directories hold .txt + .ann)")
    convert.add_argument(
        "-o", "--output", required=True, help="output file: .jsonl, .json or .conll (CoNLL keeps no quote records)"
    )
    convert.add_argument("--attributions", choices=["all", "communication"], default="all")

    train = commands.add_parser(
        "train",
        help="train from a YAML config",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=(
            "Train a quote tagger from a YAML config (a delta over the defaults listed below) and save the model,\n"
            "its resolved config, metrics and model card to training.output_dir. Override any key on the command\n"
            "line; everything is checked before data or model load (exit 2 on bad input, 130 on Ctrl-C).\n\n"
            "examples:\n"
            "  quotes train configs/seed.yaml\n"
            "  quotes train configs/tiny.yaml --training.output_dir=runs/smoke --training.epochs=1\n"
            "  quotes train configs/seed.yaml --training.precision=fp32 --training.report_to=[tensorboard]\n"
            "  quotes train configs/seed.yaml --resume                  # continue from the last checkpoint\n"
            "  quotes config configs/seed.yaml --training.epochs=3     # print the resolved config"
        ),
        epilog=_config_keys_help(),
    )
    train.add_argument("config", help="YAML config file, e.g. configs/seed.yaml")
    train.add_argument(
        "--resume", nargs="?", const="last", default=None, help="resume from the last checkpoint, or from CHECKPOINT"
    )
    train.add_argument(
        "--overwrite",
        action="store_true",
        help="write into a non-empty training.output_dir that no quotes run wrote (same-named files are replaced)",
    )

    config = commands.add_parser(
        "config",
        help="print the resolved config as YAML (defaults + file + overrides); exit 2 if invalid",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=(
            "Print the config `quotes train` would use: the defaults, the file's delta and the overrides, as YAML.\n"
            "It is validated like training's (every error at once, exit 2); data and model paths are checked by\n"
            "train.\n\nexamples:\n"
            "  quotes config configs/seed.yaml --training.epochs=3\n"
            "  quotes config > my.yaml                                 # every default, to edit"
        ),
        epilog="Keys and defaults: quotes train --help",
    )
    config.add_argument("config", nargs="?", default=None, help="YAML config file; the defaults when omitted")

    predict = commands.add_parser(
        "predict",
        help="find quotes in text files, JSONL archives, folders (or stdin)",
        description="Find quotes in .txt files, .json/.jsonl documents or folders of them (stdin when none). "
        "Streams in bounded memory, writes each document as soon as its chunk is done, resumes with --resume, "
        "and splits the work over processes under torchrun. Example: "
        "quotes predict --model runs/seed archive.jsonl -o quotes.jsonl --resume",
    )
    predict.add_argument("--model", required=True, help="a model directory written by `quotes train`, or `rules`")
    predict.add_argument("files", nargs="*", help=".txt files, .json/.jsonl documents, or folders; stdin when none")
    predict.add_argument("--format", choices=["jsonl", "citron", "text", "html"], default="jsonl")
    predict.add_argument("-o", "--output", help="write here instead of stdout")
    predict.add_argument(
        "--resume", action="store_true", help="keep the documents already in -o FILE.jsonl and predict the rest"
    )
    predict.add_argument("--min-score", type=float, help="drop quote records scored below this (0 to 1)")
    predict.add_argument(
        "--boundaries",
        choices=["model", "guidelines"],
        help=_BOUNDARIES_HELP,
    )
    predict.add_argument("--batch-size", type=int, default=16, help="windows per forward pass")
    predict.add_argument("--chunk-size", type=int, default=64, help="documents predicted (and written) together")
    predict.add_argument("--stdin-format", choices=["text", "jsonl"], default="text", help="stdin: one text or JSONL")
    predict.add_argument("--engine", choices=["local", "ray"], default="local", help="ray: Ray Data workers")
    predict.add_argument("--workers", type=int, default=2, help="Ray workers (with --engine ray)")
    predict.add_argument("--device", default=None, help="cpu, cuda, cuda:1 ... (default: cuda if available)")
    predict.add_argument(
        "--progress", choices=["auto", "on", "off"], default="auto", help="progress bar (auto: when stderr is a tty)"
    )

    evaluate = commands.add_parser(
        "evaluate",
        help="score a model on gold data; write JSON/Markdown/HTML reports",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Score a model (or the rule baseline) on gold documents beside the rule baseline, print the\n"
        "Markdown report, write report.json/.md/.html and plots with --report-dir, and exit 1 under --fail-under.",
        epilog="examples:\n"
        "  quotes evaluate --model runs/open --data data/annotations/splits/test.jsonl --report-dir reports/open\n"
        "  quotes evaluate --model runs/open --data gold.jsonl --fail-under quote_f1=0.6,end_to_end_by_name_f1=0.3\n"
        "  quotes evaluate --model runs/open --data gold.jsonl --compare reports/main/report.json\n"
        "  quotes evaluate --model runs/open --data gold.jsonl --boundaries guidelines --no-baseline",
    )
    evaluate.add_argument("--model", required=True, help="a model directory, or `rules` for the rule-based baseline")
    evaluate.add_argument("--data", required=True, nargs="+", help="gold files or directories (JSON, JSONL, BRAT)")
    evaluate.add_argument("--report-dir", help="write report.json, report.md, report.html and plots (*.svg) here")
    evaluate.add_argument(
        "--fail-under",
        metavar="NAME=MIN[,...]",
        help="thresholds by metric name or report.json path, e.g. QUOTE_exact_f1=0.6,quote_f1=0.8,"
        "end_to_end_by_name_f1=0.5; exit 1 below them",
    )
    evaluate.add_argument("--compare", metavar="REPORT_JSON", help="show deltas against an earlier report.json")
    evaluate.add_argument("--batch-size", type=int, default=16)
    evaluate.add_argument(
        "--boundaries",
        choices=["model", "guidelines"],
        help=_BOUNDARIES_HELP,
    )
    evaluate.add_argument("--no-baseline", action="store_true", help="do not score the rule-based baseline alongside")
    evaluate.add_argument(
        "--progress", choices=["auto", "on", "off"], default="auto", help="progress bar (auto: when stderr is a tty)"
    )
    return parser


_BOUNDARIES_HELP = (
    "content edges: the model's own, or moved to the guidelines' quote marks and sentence ends "
    "(default: the model's predict.boundaries; see docs/decoding.md)"
)
_BOUNDARIES_RULES = "--boundaries moves a model's content edges; the rule baseline (--model rules) has none to move"
EXIT_INTERRUPTED = 130  # what a shell reports for a process stopped by Ctrl-C (SIGINT)
_PATH_ERRORS = (FileNotFoundError, FileExistsError, IsADirectoryError, NotADirectoryError, PermissionError)


def main(argv: list[str] | None = None) -> int:
    """Run one subcommand; a user's mistake becomes a one-line message and exit 2, never a traceback.

    User mistakes are :class:`quotes.errors.UserInputError` (config and data errors included), a path that does not
    exist or cannot be written, text that is not UTF-8, and input nested too deeply to read. Anything else is a bug
    in quotes: its traceback is shown, with exit 1.
    """
    from quotes.errors import UserInputError

    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra and args.command not in ("train", "config"):
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO, format="%(levelname)s %(name)s: %(message)s"
    )
    handlers = {
        "validate": cmd_validate,
        "convert": cmd_convert,
        "predict": cmd_predict,
        "evaluate": cmd_evaluate,
    }
    try:
        if args.command in ("train", "config"):
            code = (cmd_train if args.command == "train" else cmd_config)(args, extra)
        else:
            code = handlers[args.command](args)
        sys.stdout.flush()  # a closed pipe shows up here, not at interpreter exit
        return code
    except BrokenPipeError:
        # the reader (head, less) stopped reading; https://docs.python.org/3/library/signal.html#note-on-sigpipe
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # what a shell reports for a writer killed by SIGPIPE
    except KeyboardInterrupt:
        print("quotes: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except UserInputError as error:
        if args.verbose:
            raise
        return _fail(str(error))
    except _PATH_ERRORS as error:
        if args.verbose:
            raise
        if error.filename and error.strerror:  # an OSError from the system: "path: No such file or directory"
            return _fail(f"{error.filename}: {error.strerror}")
        return _fail(str(error))  # ours already names the path
    except UnicodeError as error:
        if args.verbose:
            raise
        return _fail(f"text that is not valid UTF-8 ({error}); convert the input to UTF-8")
    except RecursionError:
        if args.verbose:
            raise
        return _fail("the input is nested too deeply to read (a JSON or YAML structure, or recursive YAML anchors)")


if __name__ == "__main__":
    raise SystemExit(main())
