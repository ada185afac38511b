"""The BRAT reader (quotes.brat): standoff files in PolNeAR's style read into documents, every repair counted.

Every fixture is an invented sentence written to ``tmp_path`` by :class:`Brat`, which finds offsets from
substrings so no offset is typed by hand.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from pathlib import Path

import pytest

from quotes.brat import read_brat, read_brat_document, scan_brat
from quotes.schema import DataValidationError, Quote, validate_document
from tests.helpers import span_at


class Brat:
    """A BRAT ``.txt``/``.ann`` pair under construction; spans are given as substrings of the text."""

    def __init__(self, text: str):
        self.text = text
        self.lines: list[str] = []
        self.line_of: dict[str, int] = {}
        self._numbers: Counter[str] = Counter()
        self._line_count = 0

    def find(self, needle: str | tuple[str, int]) -> tuple[int, int]:
        """Offsets of ``needle``, or of its n-th occurrence for ``(needle, n)``."""
        needle, occurrence = (needle, 0) if isinstance(needle, str) else needle
        start = -1
        for _ in range(occurrence + 1):
            start = self.text.index(needle, start + 1)
        return start, start + len(needle)

    def add(self, prefix: str, body: str) -> str:
        self._numbers[prefix] += 1
        ident = f"{prefix}{self._numbers[prefix]}"
        self.line_of[ident] = self.raw(f"{ident}\t{body}")
        return ident

    def raw(self, line: str) -> int:
        """Add a line as is; returns its line number in the file (a span's text may hold newlines)."""
        self.lines.append(line)
        self._line_count += line.count("\n") + 1
        return self._line_count - line.count("\n")

    def span(self, kind: str, *needles: str | tuple[str, int]) -> str:
        """A ``T`` line; several needles make a discontinuous span, written as BRAT does (joined by spaces)."""
        fragments = [self.find(needle) for needle in needles]
        ranges = ";".join(f"{start} {end}" for start, end in fragments)
        written = " ".join(self.text[start:end] for start, end in fragments)
        return self.add("T", f"{kind} {ranges}\t{written}")

    def event(self, trigger: str, *arguments: tuple[str, str], kind: str = "Attribution") -> str:
        return self.add("E", " ".join(f"{role}:{tid}" for role, tid in [(kind, trigger), *arguments]))

    def attribution(
        self, contents: list[str] | str, source: str | tuple[str, int] | None = None, cue: str | None = None
    ) -> str:
        """Source, cue, content and trigger lines and their ``E`` line, laid out as PolNeAR does."""
        contents = [contents] if isinstance(contents, str) else contents
        arguments = []
        if source is not None:
            arguments.append(("Source", self.span("Source", source)))
        if cue is not None:
            arguments.append(("Cue", self.span("Cue", cue)))
        arguments.append(("Content", self.span("Content", *contents)))
        kind = "Attribution" if source is not None else "Attribution-no-source"
        trigger = self.span(kind, cue if cue is not None else contents[0])
        return self.event(trigger, *arguments, kind=kind)

    def write(self, directory: Path, name: str = "doc") -> tuple[Path, Path]:
        txt, ann = directory / f"{name}.txt", directory / f"{name}.ann"
        with txt.open("w", encoding="utf-8", newline="") as handle:
            handle.write(self.text)
        with ann.open("w", encoding="utf-8", newline="") as handle:
            handle.write("".join(line + "\n" for line in self.lines))
        return txt, ann


span = span_at  # the first occurrence of a needle in a text


MAYOR = "Mayor Ada Brook said the bridge will reopen in May.\n"


def error_pattern(ann: Path, line: int | None, ident: str, problem: str) -> str:
    """The start of a ValidationIssue line: file, line, document id and T/E id, then the problem."""
    where = re.escape(str(ann)) + (f":{line}" if line is not None else "")
    return rf"{where}: document 'doc': {re.escape(ident)}: {problem}"


# --------------------------------------------------------------------------------------------------------------
# Reading BRAT
# --------------------------------------------------------------------------------------------------------------


def test_read_brat_document_builds_one_quote_per_event(tmp_path):
    brat = Brat(MAYOR)
    brat.attribution("the bridge will reopen in May", source="Mayor Ada Brook", cue="said")

    document = read_brat_document(*brat.write(tmp_path))

    assert document.id == "doc"
    assert document.text == MAYOR
    assert document.quotes == (
        Quote(
            contents=(span(MAYOR, "the bridge will reopen in May"),),
            sources=(span(MAYOR, "Mayor Ada Brook"),),
            cue=span(MAYOR, "said"),
        ),
    )
    assert validate_document(document) == []


def test_read_brat_document_splits_discontinuous_content_into_spans(tmp_path):
    text = "“The plan is sound,” the minister said, “and it is paid for.”\n"
    brat = Brat(text)
    brat.attribution(["“The plan is sound,”", "“and it is paid for.”"], source="the minister", cue="said")

    (quote,) = read_brat_document(*brat.write(tmp_path)).quotes

    assert quote.contents == (span(text, "“The plan is sound,”"), span(text, "“and it is paid for.”"))
    assert quote.direct


def test_read_brat_document_reads_numbered_content_roles_as_contents(tmp_path):
    text = "Critics said the law is vague. It is also costly, they said.\n"
    brat = Brat(text)
    source, cue = brat.span("Source", "Critics"), brat.span("Cue", ("said", 0))
    first, second = brat.span("Content", "the law is vague"), brat.span("Content", "It is also costly")
    brat.event(
        brat.span("Attribution", ("said", 0)),
        ("Source", source),
        ("Cue", cue),
        ("Content", first),
        ("Content2", second),
    )

    (quote,) = read_brat_document(*brat.write(tmp_path)).quotes

    assert [s.text for s in quote.contents] == ["the law is vague", "It is also costly"]


def test_read_brat_document_keeps_record_without_source(tmp_path):
    text = "The report was released on Monday, warning that rents will rise.\n"
    brat = Brat(text)
    brat.attribution("that rents will rise", cue="warning")

    (quote,) = read_brat_document(*brat.write(tmp_path)).quotes

    assert quote.sources == ()
    assert quote.cue == span(text, "warning")


def test_read_brat_document_cuts_offsets_through_curly_quotes_and_newlines(tmp_path):
    text = "Héloïse Durand wrote: ‘We will not sign.\r\nNot this year, not ever.’\n\n«Non», she added.\n"
    brat = Brat(text)
    brat.attribution("‘We will not sign.\r\nNot this year, not ever.’", source="Héloïse Durand", cue="wrote")
    brat.attribution("«Non»", source="she", cue="added")

    document = read_brat_document(*brat.write(tmp_path))

    assert [q.contents[0].text for q in document.quotes] == ["‘We will not sign.\r\nNot this year, not ever.’", "«Non»"]
    assert all(s.text == text[s.start : s.end] for _, s in document.labelled_spans())
    assert validate_document(document) == []


def test_read_brat_keeps_beliefs_unless_communication_is_asked(tmp_path, caplog):
    text = "The senator said the vote is close. Her aide thinks it will pass.\n"
    brat = Brat(text)
    brat.attribution("the vote is close", source="The senator", cue="said")
    brat.attribution("it will pass", source="Her aide", cue="thinks")
    brat.write(tmp_path)

    everything = read_brat(tmp_path)
    with caplog.at_level(logging.INFO, logger="quotes.brat"):
        communicated = read_brat(tmp_path, attributions="communication")

    assert [q.cue.text for q in everything[0].quotes] == ["said", "thinks"]
    assert [q.cue.text for q in communicated[0].quotes] == ["said"]
    assert "not communication=1" in caplog.text


def test_read_brat_rejects_unknown_attributions_setting(tmp_path):
    Brat(MAYOR).write(tmp_path)
    with pytest.raises(ValueError, match="attributions must be 'all' or 'communication', got 'speech'"):
        read_brat(tmp_path, attributions="speech")


def test_read_brat_reads_pairs_sorted_by_name_with_name_as_id(tmp_path):
    for name in ("b-second", "a-first"):
        Brat(MAYOR).write(tmp_path, name)
    (tmp_path / "notes.tsv").write_text("other files are ignored\n", encoding="utf-8")

    assert [d.id for d in read_brat(tmp_path)] == ["a-first", "b-second"]


def test_read_brat_counts_unused_annotations_at_info(tmp_path, caplog):
    text = "Follow us online. Some wonder why the mayor said the bridge will reopen.\n"
    brat = Brat(text)
    brat.attribution("the bridge will reopen", source="the mayor", cue="said")
    brat.span("Discard", "Follow us online.")
    brat.span("Discuss", "Some wonder why")
    brat.raw("#1\tAnnotatorNotes T1\tIs this the right source?")
    brat.event(brat.span("Attribution-no-source", "wonder"), kind="Attribution-no-source")
    brat.write(tmp_path)

    with caplog.at_level(logging.INFO, logger="quotes.brat"):
        (document,) = read_brat(tmp_path)

    assert len(document.quotes) == 1
    assert [r.levelname for r in caplog.records] == ["INFO"]
    message = caplog.records[0].getMessage()
    for count in ("Discard=1", "Discuss=1", "event_without_arguments=1", "annotator notes=1"):
        assert count in message


def test_read_brat_shares_a_source_between_two_records(tmp_path):
    text = "The union said wages are low and warned that a strike is possible.\n"
    brat = Brat(text)
    source = brat.span("Source", "The union")
    for cue, content in (("said", "wages are low"), ("warned", "that a strike is possible")):
        cue_id, content_id = brat.span("Cue", cue), brat.span("Content", content)
        brat.event(brat.span("Attribution", cue), ("Source", source), ("Cue", cue_id), ("Content", content_id))

    document = read_brat_document(*brat.write(tmp_path))

    assert [q.sources for q in document.quotes] == [(span(text, "The union"),)] * 2
    assert validate_document(document) == []


def test_read_brat_trims_overlapping_content_of_later_record_with_warning(tmp_path, caplog):
    text = "The coach assured fans that the team will win, as the captain has said, and that nobody is injured.\n"
    brat = Brat(text)
    brat.attribution(["that the team will win", "and that nobody is injured"], source="The coach", cue="assured")
    inner = brat.attribution("the team will win", source="the captain", cue="has said")
    brat.write(tmp_path)

    with caplog.at_level(logging.INFO, logger="quotes.brat"):
        (document,) = read_brat(tmp_path)

    assert [q.cue.text for q in document.quotes] == ["assured"]
    assert validate_document(document) == []
    warning = next(r.getMessage() for r in caplog.records if r.levelname == "WARNING")
    assert "overlap.span_dropped=1" in warning and "overlap.record_dropped=1" in warning
    assert f"doc.ann:{brat.line_of[inner]}: document 'doc': {inner} Content:T7: " in warning


def test_read_brat_lets_no_dropped_record_trim_a_record_that_stays(tmp_path):
    text = "Ann said rates will rise. Her rival Cy wrote that rates will rise too.\n"
    brat = Brat(text)
    brat.attribution("rates will rise", source="Ann", cue="said")
    brat.attribution("rates will rise", source="Her rival Cy", cue="said")  # a duplicate content: dropped
    brat.attribution("that rates will rise too", source=("Cy", 0), cue="wrote")

    report = scan_brat(brat.write(tmp_path)[0].parent)

    assert [q.sources for q in report.documents[0].quotes] == [(span(text, "Ann"),), (span(text, "Cy"),)]
    assert [w.path for w in report.warnings] == ["E2 Content:T7", "E2"]


def test_read_brat_trims_partly_overlapping_span_to_the_rest(tmp_path):
    text = "Polls show voters prefer Jones, with most rating him well, according to Gallup.\n"
    brat = Brat(text)
    brat.attribution("voters prefer Jones", source="Polls", cue="show")
    brat.attribution("Jones, with most rating him well", source="Gallup", cue="according to")

    report = scan_brat(brat.write(tmp_path)[0].parent)

    second = report.documents[0].quotes[1]
    assert second.contents == (span(text, ", with most rating him well"),)
    assert report.counts["overlap.span_trimmed"] == 1


def test_read_brat_drops_event_without_content_and_unused_labels_with_warning(tmp_path, caplog):
    text = "The mayor said the bridge will reopen. An aide declined to comment on it.\n"
    brat = Brat(text)
    brat.attribution("the bridge will reopen", source="The mayor", cue="said")
    source, cue = brat.span("Source", "An aide"), brat.span("Cue", "declined to comment")
    empty = brat.event(brat.span("Attribution", "declined to comment"), ("Source", source), ("Cue", cue))
    orphan = brat.span("Content", "on it")
    brat.write(tmp_path)

    with caplog.at_level(logging.WARNING, logger="quotes.brat"):
        (document,) = read_brat(tmp_path)
        report = scan_brat(tmp_path)

    assert len(document.quotes) == 1
    assert "dropped.event_without_content=1, unused_label=1" in caplog.text
    assert [(w.line, w.path) for w in report.warnings] == [(brat.line_of[orphan], orphan), (brat.line_of[empty], empty)]


def test_read_brat_reads_span_in_the_role_its_event_gives_it(tmp_path):
    text = "Voters, the poll found, favour the plan.\n"
    brat = Brat(text)
    source, cue, content = brat.span("Content", "the poll"), brat.span("Cue", "found"), brat.span("Source", "Voters")
    brat.event(brat.span("Attribution", "found"), ("Source", source), ("Cue", cue), ("Content", content))

    report = scan_brat(brat.write(tmp_path)[0].parent)

    (quote,) = report.documents[0].quotes
    assert (quote.sources[0].text, quote.contents[0].text) == ("the poll", "Voters")
    assert report.counts["role_differs_from_kind"] == 2


def test_read_brat_joins_discontinuous_cue_with_unlabelled_gap(tmp_path):
    text = "The minister has, reluctantly, conceded that the plan failed.\n"
    brat = Brat(text)
    source, cue, content = (
        brat.span("Source", "The minister"),
        brat.span("Cue", "has", "conceded"),
        brat.span("Content", "that the plan failed"),
    )
    brat.event(brat.span("Attribution", "conceded"), ("Source", source), ("Cue", cue), ("Content", content))

    (quote,) = read_brat_document(*brat.write(tmp_path)).quotes

    assert quote.cue == span(text, "has, reluctantly, conceded")


def test_scan_brat_counts_documents_records_and_spans(tmp_path):
    brat = Brat(MAYOR)
    brat.attribution("the bridge will reopen in May", source="Mayor Ada Brook", cue="said")
    brat.write(tmp_path)

    counts = scan_brat(tmp_path).counts

    assert (counts["documents"], counts["records"]) == (1, 1)
    assert (counts["spans.QUOTE"], counts["spans.SPEAKER"], counts["spans.CUE"]) == (1, 1, 1)
    assert (counts["kind.Attribution"], counts["lines.T"], counts["lines.E"]) == (1, 4, 1)


# Errors: each category names file, line, document id, T/E id and the problem.


def _undefined_reference(brat: Brat) -> tuple[int, str, str]:
    content = brat.span("Content", "the bridge will reopen in May")
    event = brat.event("T9", ("Content", content))
    return brat.line_of[event], event, "trigger T9 is not defined by any T line"


def _offsets_outside_text(brat: Brat) -> tuple[int, str, str]:
    line = brat.raw("T1\tContent 24 400\tthe bridge")
    return line, "T1", rf"offsets 24-400 lie outside the text \(length {len(MAYOR)}\)"


def _reversed_fragment(brat: Brat) -> tuple[int, str, str]:
    line = brat.raw("T1\tSource 15 0\tMayor Ada Brook")
    return line, "T1", "fragment 15-0 is empty or reversed"


def _text_mismatch(brat: Brat) -> tuple[int, str, str]:
    line = brat.raw("T1\tSource 0 15\tMayor Ada Brooks")
    return line, "T1", "text 'Mayor Ada Brooks' differs from the document at 0 15: 'Mayor Ada Brook'"


def _unparsable_t_line(brat: Brat) -> tuple[int, str, str]:
    line = brat.raw("T1\tSource zero 15\tMayor Ada Brook")
    return line, "T1", "cannot parse T line"


def _duplicate_id(brat: Brat) -> tuple[int, str, str]:
    brat.span("Source", "Mayor Ada Brook")
    line = brat.raw("T1\tCue 16 20\tsaid")
    return line, "T1", r"duplicate id \(first defined on line 1\)"


def _unknown_role(brat: Brat) -> tuple[int, str, str]:
    trigger, source = brat.span("Attribution", "said"), brat.span("Source", "Mayor Ada Brook")
    event = brat.event(trigger, ("Speaker", source))
    return brat.line_of[event], event, "unknown role 'Speaker' in Speaker:T2"


def _two_cues(brat: Brat) -> tuple[int, str, str]:
    cues = brat.span("Cue", "said"), brat.span("Cue", "reopen")
    content = brat.span("Content", "the bridge will reopen in May")
    event = brat.event(brat.span("Attribution", "said"), ("Cue", cues[0]), ("Cue", cues[1]), ("Content", content))
    return brat.line_of[event], event, r"2 Cue arguments \(T1, T2\); a record has one cue"


def _labelled_gap_in_cue(brat: Brat) -> tuple[int, str, str]:
    cue = brat.span("Cue", "Mayor", "said")
    source, content = brat.span("Source", "Ada Brook"), brat.span("Content", "the bridge will reopen in May")
    event = brat.event(brat.span("Attribution", "said"), ("Source", source), ("Cue", cue), ("Content", content))
    return brat.line_of[event], f"{event} Cue:{cue}", f"the gap of discontinuous cue {cue} holds {source}"


def _unsupported_line(brat: Brat) -> tuple[int, str, str]:
    line = brat.raw("R1\tSupports Arg1:T1 Arg2:T2")
    return line, "R1", r"unsupported BRAT annotation \(this reader knows T, E and # lines\)"


@pytest.mark.parametrize(
    "build",
    [
        _undefined_reference,
        _offsets_outside_text,
        _reversed_fragment,
        _text_mismatch,
        _unparsable_t_line,
        _duplicate_id,
        _unknown_role,
        _two_cues,
        _labelled_gap_in_cue,
        _unsupported_line,
    ],
)
def test_read_brat_raises_located_error(tmp_path, build):
    brat = Brat(MAYOR)
    line, ident, problem = build(brat)
    _, ann = brat.write(tmp_path)

    with pytest.raises(DataValidationError, match=error_pattern(ann, line, ident, problem)):
        read_brat(tmp_path)


def test_read_brat_raises_on_line_that_is_no_annotation(tmp_path):
    brat = Brat(MAYOR)
    brat.attribution("the bridge will reopen in May", source="Mayor Ada Brook", cue="said")
    line = brat.raw("Mayor Ada Brook said")
    _, ann = brat.write(tmp_path)

    with pytest.raises(DataValidationError, match=rf"{re.escape(str(ann))}:{line}: document 'doc': cannot parse line"):
        read_brat_document(tmp_path / "doc.txt", ann)


def test_read_brat_points_at_a_stray_line_read_as_part_of_a_span_text(tmp_path):
    brat = Brat(MAYOR)
    line = brat.line_of[brat.span("Source", "Mayor Ada Brook")]
    brat.raw("a stray note")
    _, ann = brat.write(tmp_path)

    with pytest.raises(DataValidationError, match=error_pattern(ann, line, "T1", ".*is a line after it no annotation")):
        read_brat(tmp_path)


def test_read_brat_reports_every_problem_of_every_file_at_once(tmp_path):
    for name in ("first", "second"):
        brat = Brat(MAYOR)
        brat.raw("T1\tSource 0 15\tMayor Ada Brooks")
        brat.write(tmp_path, name)
    (tmp_path / "lonely.txt").write_text(MAYOR, encoding="utf-8")

    with pytest.raises(DataValidationError) as caught:
        read_brat(tmp_path)

    assert [(Path(i.file).name, i.document) for i in caught.value.issues] == [
        ("lonely.txt", "lonely"),
        ("first.ann", "first"),
        ("second.ann", "second"),
    ]
    assert "no lonely.ann next to it" in str(caught.value)


def test_read_brat_raises_on_text_that_is_not_utf8(tmp_path):
    brat = Brat(MAYOR)
    txt, _ = brat.write(tmp_path)
    txt.write_bytes("Café".encode("latin-1"))

    with pytest.raises(
        DataValidationError,
        match=rf"{re.escape(str(txt))}:1: document 'doc': not UTF-8 text: byte 0xe9 at byte offset 3",
    ):
        read_brat(tmp_path)


def test_read_brat_raises_on_missing_or_empty_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="not a directory"):
        read_brat(tmp_path / "absent")
    with pytest.raises(DataValidationError, match=r"no <name>\.txt \+ <name>\.ann pairs found"):
        read_brat(tmp_path)


# Repairs of forms other exports use: each is counted and named in the WARNING, never silent.


@pytest.mark.parametrize("event", ["E1\tCue:T2 Source:T1 Content:T3", "E1\tAttribution:T2 Source:T1 Content:T3"])
def test_read_brat_reads_a_cue_that_triggers_its_event(tmp_path, caplog, event):
    brat = Brat(MAYOR)
    brat.span("Source", "Mayor Ada Brook")
    brat.span("Cue", "said")
    brat.span("Content", "the bridge will reopen in May")
    brat.raw(event)
    _, ann = brat.write(tmp_path)

    with caplog.at_level(logging.WARNING, logger="quotes.brat"):
        (document,) = read_brat(tmp_path)

    assert document.quotes[0].cue == span(MAYOR, "said")
    assert "trigger_read_as_role=1" in caplog.text
    assert f"{ann}:4: document 'doc': E1 {event.split()[1].split(':')[0]}:T2: trigger" in caplog.text


def test_read_brat_trims_offsets_that_take_in_a_space(tmp_path, caplog):
    brat = Brat(MAYOR)
    source = brat.raw("T1\tSource 0 15\tMayor Ada Brook")
    brat.raw("T2\tCue 15 20\tsaid")  # one character early: " said" at 15-20
    brat.raw("T3\tContent 21 50\tthe bridge will reopen in May")
    brat.raw("T4\tAttribution 16 20\tsaid")
    brat.raw("E1\tAttribution:T4 Source:T1 Cue:T2 Content:T3")
    _, ann = brat.write(tmp_path)

    with caplog.at_level(logging.WARNING, logger="quotes.brat"):
        (document,) = read_brat(tmp_path)

    assert document.quotes[0].cue == span(MAYOR, "said")
    assert source == 1 and "offsets.trimmed_whitespace=1" in caplog.text
    assert f"{ann}:2: document 'doc': T2: offsets 15-20 hold ' said'; read as 16-20 'said'" in caplog.text


def test_read_brat_moves_offsets_one_character_off_to_the_text(tmp_path):
    brat = Brat(MAYOR)
    brat.raw("T1\tSource 1 16\tMayor Ada Brook")  # one character late
    brat.raw("T2\tCue 16 20\tsaid")
    brat.raw("T3\tContent 21 50\tthe bridge will reopen in May")
    brat.raw("E1\tAttribution:T2 Source:T1 Cue:T2 Content:T3")
    brat.write(tmp_path)

    report = scan_brat(tmp_path)

    assert report.documents[0].quotes[0].sources == (span(MAYOR, "Mayor Ada Brook"),)
    assert report.counts["offsets.shifted"] == 1
    assert str(report.warnings[0]).endswith(
        "T1: offsets 1-16 hold 'ayor Ada Brook '; its text 'Mayor Ada Brook' lies at 0-15, read there"
    )


def test_read_brat_warns_about_unknown_kinds_it_ignores(tmp_path, caplog):
    brat = Brat(MAYOR)
    brat.attribution("the bridge will reopen in May", source="Mayor Ada Brook", cue="said")
    unknown = brat.span("Speaker", "Mayor Ada Brook")
    brat.write(tmp_path)

    with caplog.at_level(logging.WARNING, logger="quotes.brat"):
        read_brat(tmp_path)

    assert "unknown_kind=1" in caplog.text
    assert f"{unknown}: unknown kind 'Speaker'" in caplog.text


def test_read_brat_warning_names_the_first_examples(tmp_path, caplog):
    brat = Brat(MAYOR)
    brat.attribution("the bridge will reopen in May", source="Mayor Ada Brook", cue="said")
    orphans = [brat.span("Source", "Ada"), brat.span("Cue", "reopen"), brat.span("Content", "May")]
    brat.write(tmp_path)

    with caplog.at_level(logging.WARNING, logger="quotes.brat"):
        read_brat(tmp_path)

    assert "3 annotation slips repaired (unused_label=3)" in caplog.text
    assert all(f"document 'doc': {orphan}: " in caplog.text for orphan in orphans)
