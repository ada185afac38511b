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


def _read_inputs(files: list[str]) -> list[tuple[str, str]]:
    """(id, text) pairs: ``.txt`` files as text, ``.json``/``.jsonl`` as Citron documents, stdin when no file."""
    if not files:
        return [("stdin", sys.stdin.read())]
    pairs = []
    for name in files:
        path = Path(name)
        if path.suffix in (".json", ".jsonl") or path.is_dir():
            from quotes.data import read_documents

            pairs += [(d.id, d.text) for d in read_documents(path)]
        else:
            try:
                pairs.append((path.stem, path.read_text(encoding="utf-8")))
            except UnicodeDecodeError as error:
                raise ValueError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})") from None
    return pairs


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
    inputs = _read_inputs(args.files)
    if args.format == "citron" and len(inputs) > 1:
        return _fail("--format citron writes one document; use --format jsonl for several inputs")
    if args.format == "html" and len(inputs) > 1:
        return _fail("--format html writes one page per document; give one input (or use --format jsonl)")
    from quotes.inference import QuoteExtractor
    from quotes.modeling import quiet_transformers

    quiet_transformers()
    extractor = QuoteExtractor.from_pretrained(args.model, device=args.device)
    predictions = extractor.predict([text for _, text in inputs], batch_size=args.batch_size)
    chunks = []
    for (doc_id, text), records in zip(inputs, predictions):
        if args.format in ("jsonl", "citron"):
            data = {
                "id": doc_id,
                "text": text,
                "quotes": [r.to_dict(include_scores=args.format == "jsonl") for r in records],
            }
            if args.format == "citron":  # the spec's format exactly: no score fields
                chunks.append(json.dumps(data, ensure_ascii=False, indent=2))
            else:
                chunks.append(json.dumps(data, ensure_ascii=False))
        elif args.format == "text":
            chunks.append(format_text(doc_id, records))
        else:
            from quotes.render import render_document_html

            chunks.append(render_document_html(text, records, title=doc_id))
    output = "\n".join(chunks) + "\n"
    if args.output:
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text(output, encoding="utf-8")
        print(
            f"wrote {sum(len(r) for r in predictions)} quotes from {len(inputs)} document(s) to {args.output}",
            file=sys.stderr,
        )
    else:
        sys.stdout.write(output)
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
    )
    validate.add_argument("paths", nargs="+", help="files or directories")

    convert = commands.add_parser(
        "convert", help="convert gold data: BRAT/JSON/CoNLL in, .jsonl/.json or CoNLL (.conll) out"
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

    predict = commands.add_parser("predict", help="find quotes in text files (or stdin)")
    predict.add_argument("--model", required=True, help="a model directory written by `quotes train`")
    predict.add_argument("files", nargs="*", help=".txt files, or .json/.jsonl documents; stdin when none")
    predict.add_argument("--format", choices=["jsonl", "citron", "text", "html"], default="jsonl")
    predict.add_argument("-o", "--output", help="write here instead of stdout")
    predict.add_argument("--batch-size", type=int, default=16, help="windows per forward pass")
    predict.add_argument("--device", default=None, help="cpu, cuda, cuda:1 ... (default: cuda if available)")

    evaluate = commands.add_parser("evaluate", help="score a model on gold data; write JSON/Markdown/HTML reports")
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
    evaluate.add_argument("--no-baseline", action="store_true", help="do not score the rule-based baseline alongside")
    evaluate.add_argument(
        "--progress", choices=["auto", "on", "off"], default="auto", help="progress bar (auto: when stderr is a tty)"
    )
    return parser


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
