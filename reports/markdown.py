"""The report as GitHub-flavoured Markdown, sized for a CI step summary (`report.md`).

Rendered from the report document alone, byte for byte the same for the same document (no
timings). GitHub refuses a step summary over 1 MiB, so long step lists and values are cut with a
note, and counterexamples that would not fit are left to report.json.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from typing import Any

from reports.counterexample_tables import Trace
from reports.failure_lines import get_failure_lines
from reports.markdown_counterexamples import render_counterexample
from reports.markdown_text import code_span as _code
from reports.markdown_text import escape_cell as escape_cell  # noqa: PLC0414 - re-exported
from reports.markdown_text import fenced as _fenced

SUMMARY_LIMIT_BYTES = 1024 * 1024
"""GitHub's limit on one step summary."""

BUDGET_BYTES = SUMMARY_LIMIT_BYTES - 64 * 1024
"""What report.md may take: the limit less room for whatever else the step writes."""

ENGINE_ORDER = ("hypothesis", "z3", "executor")
"""The engines in the order the report lists their evidence."""

VERDICT_MARKS = {
    "pass": "✅",
    "fail": "❌",
    "inconclusive": "⚠️",
    "not-applicable": "➖",
}

_EXIT_CODES = {"pass": 0, "fail": 1, "inconclusive": 3}
_DEFAULTS_SOURCE = "whitepaper defaults"


# --- Reading the document ------------------------------------------------------------------------


def get_exit_code(document: Mapping[str, Any]) -> int:
    """The report's exit code: `exit_code`, or the one its verdict implies in an older document."""
    code = document.get("exit_code")
    return int(code) if isinstance(code, int) else _EXIT_CODES.get(document["verdict"], 3)


def is_file_input(document: Mapping[str, Any]) -> bool:
    """Whether the checked parameters came from a file (not the whitepaper defaults)."""
    source = document["inputs"].get("source")
    return isinstance(source, str) and source != _DEFAULTS_SOURCE


def get_engine_names(document: Mapping[str, Any]) -> tuple[str, ...]:
    """The engines the report ran, in report order, then any engine an invariant names."""
    named = list(document["inputs"].get("engines") or ())
    for row in document["invariants"]:
        named.extend(row["engines"])
    known = [name for name in ENGINE_ORDER if name in named]
    return (*known, *sorted(set(named) - set(known)))


def describe_evidence(engine: str, evidence: Mapping[str, Any]) -> str:
    """One engine's verdict with its evidence: `hypothesis: pass (250 examples, 1200 steps)`."""
    return f"{engine}: {describe_verdict(engine, evidence)}"


def describe_verdict(engine: str, evidence: Mapping[str, Any]) -> str:
    """One engine's verdict with its evidence, without its name: `proved (QF_LIA)`."""
    facts: list[str] = []
    if engine == "hypothesis":
        facts.append(f"{evidence.get('examples', 0)} examples, {evidence.get('steps', 0)} steps")
        boundaries = evidence.get("boundaries") or {}
        if boundaries:
            reached = sum(1 for count in boundaries.values() if count)
            facts.append(f"{reached}/{len(boundaries)} boundaries reached")
    elif engine == "z3" and evidence.get("logic"):
        # Each mode of the plan with its answers: "all-params proved, concrete proved", or
        # "19 adoptable proved" for GOV-SAFE's query per covered invariant.
        queries = evidence.get("queries") or []
        if len(queries) > 1:
            tally: dict[tuple[str, str], int] = {}
            for query in queries:
                pair = (str(query["mode"]), str(query["verdict"]))
                tally[pair] = tally.get(pair, 0) + 1
            facts.append(
                ", ".join(
                    f"{count} {mode} {verdict}" if count > 1 else f"{mode} {verdict}"
                    for (mode, verdict), count in tally.items()
                )
            )
        facts.append(str(evidence["logic"]))
    elif engine == "executor":
        facts.append(f"{evidence.get('scenarios', 0)} scenarios")
    violations = evidence.get("violations")
    if isinstance(violations, int) and violations > 0:
        facts.append(f"{violations} violation{'s' if violations != 1 else ''}")
    # A note or reason says why an engine did not decide, so it belongs beside the verdict.
    facts.extend(
        str(evidence[key])
        for key in ("reason", "note")
        if evidence.get(key) and _undecided(evidence)
    )
    suffix = f" ({'; '.join(facts)})" if facts else ""
    return f"{evidence.get('verdict', '?')}{suffix}"


def _undecided(evidence: Mapping[str, Any]) -> bool:
    return evidence.get("verdict") in ("vacuous", "unknown", "error", "not-applicable")


def get_reasons(row: Mapping[str, Any]) -> list[str]:
    """Each engine that did not decide an invariant, or found it not applicable, and why."""
    reasons = []
    for engine, evidence in row["engines"].items():
        if _undecided(evidence):
            why = evidence.get("reason") or evidence.get("note") or "no reason given"
            reasons.append(f"{engine} {evidence['verdict']}: {why}")
    return reasons


def describe_reasons(row: Mapping[str, Any]) -> str:
    """Why an invariant is undecided or not applicable, in one line."""
    return "; ".join(get_reasons(row)) or f"{row['id']} is {row['verdict']}"


def describe_failure(row: Mapping[str, Any]) -> str:
    """One line on why an invariant fails: its first counterexample's detail, else the engines."""
    examples = row.get("counterexamples") or []
    if examples and examples[0].get("detail"):
        return str(examples[0]["detail"])
    failing = [
        f"{engine} {evidence['verdict']}"
        for engine, evidence in row["engines"].items()
        if evidence.get("verdict") in ("fail", "refuted")
    ]
    return f"{row['id']} fails: {', '.join(failing) or 'no engine gave a counterexample'}"


def count_verdicts(document: Mapping[str, Any]) -> dict[str, int]:
    """How many listed invariants have each verdict (pass, fail, inconclusive, not-applicable)."""
    counts = dict.fromkeys(VERDICT_MARKS, 0)
    for row in document["invariants"]:
        counts[row["verdict"]] = counts.get(row["verdict"], 0) + 1
    return counts


# --- Sections ------------------------------------------------------------------------------------


def _headline(document: Mapping[str, Any]) -> list[str]:
    verdict = document["verdict"]
    counts = count_verdicts(document)
    total = len(document["invariants"])
    parts = [f"**{counts['fail']} fail**" if counts["fail"] else "0 fail"]
    parts += [f"{counts[name]} {name}" for name in ("inconclusive", "pass", "not-applicable")]
    mark = f"{VERDICT_MARKS[verdict]} " if verdict in VERDICT_MARKS else ""
    return [
        f"# {mark}stratoverify: {verdict} (exit code {get_exit_code(document)})",
        "",
        f"{total} invariant{'s' if total != 1 else ''} checked: {', '.join(parts)}.",
        "",
        *_failures(document),
    ]


def _failures(document: Mapping[str, Any]) -> list[str]:
    """One line per failing, then per inconclusive, invariant: what a designer acts on first."""
    lines = get_failure_lines(document)
    if not lines:
        return ["Every invariant checked holds; no engine found a counterexample.", ""]
    failing = sum(1 for line in lines if line.verdict == "fail")
    undecided = len(lines) - failing
    title = ", ".join(
        [
            *([f"{failing} invariant{'s fail' if failing != 1 else ' fails'}"] if failing else []),
            *([f"{undecided} inconclusive"] if undecided else []),
        ]
    )
    items = []
    for line in lines:
        by = "refuted" if line.verdict == "fail" else "undecided"
        engines = f"; {by} by {escape_cell(', '.join(line.engines))}" if line.engines else ""
        engines += f": {escape_cell(line.reason)}" if line.engines and line.reason else ""
        keys = "".join(
            f"; {_code(key.parameter)} = {escape_cell(key.value)} breaks it, safe values: "
            f"**{escape_cell(key.safe)}**"
            for key in line.keys
        )
        where = "counterexamples" if line.has_counterexample else "invariants"
        items.append(
            f"- {VERDICT_MARKS.get(line.verdict, '')} **{_code(line.id)}** — "
            f"{escape_cell(line.statement)}{engines}{keys} ([{where}](#{where}))"
        )
    return [f"**{title}:**", "", *items, ""]


def _contents(document: Mapping[str, Any], *, counterexamples: bool) -> list[str]:
    """A linked list of the sections, by the anchors GitHub gives their headings."""
    sections = [
        ("Inputs", "inputs", True),
        ("Parameter changes", "parameter-changes", True),
        ("Changed keys", "changed-keys", bool(document.get("keys"))),
        ("Invariants", "invariants", True),
        (
            "Boundary states (Hypothesis)",
            "boundary-states-hypothesis",
            bool((document.get("engines", {}).get("hypothesis") or {}).get("boundaries")),
        ),
        ("Counterexamples", "counterexamples", counterexamples),
        ("Reproduce", "reproduce", True),
    ]
    items = [f"- [{title}](#{anchor})" for title, anchor, shown in sections if shown]
    return ["Contents:", "", *items, ""]


def _inputs(document: Mapping[str, Any]) -> list[str]:
    inputs = document["inputs"]
    rows: list[tuple[str, str]] = [
        ("source", _code(inputs["source"]) if is_file_input(document) else _DEFAULTS_SOURCE),
        ("kind", escape_cell(inputs.get("kind", ""))),
        ("profile", escape_cell(inputs.get("profile", ""))),
        ("effort", escape_cell(inputs.get("effort", ""))),
        ("seed", escape_cell(inputs.get("seed", ""))),
        ("params sha256", _code(inputs.get("params_sha256", ""))),
    ]
    if inputs.get("input_sha256"):
        rows.append(("input sha256", _code(inputs["input_sha256"])))
    base = inputs.get("base")
    if isinstance(base, Mapping):
        rows.append(
            ("base", f"{escape_cell(base.get('source', ''))} ({_code(base.get('params_sha256'))})")
        )
    if inputs.get("engines"):
        rows.append(("engines", escape_cell(", ".join(inputs["engines"]))))
    isolation = (document.get("engines", {}).get("executor") or {}).get("isolation")
    if isinstance(isolation, Mapping):
        rows.append(("function isolation", escape_cell(isolation.get("description", ""))))
    if inputs.get("only"):
        rows.append(("only", escape_cell(", ".join(inputs["only"]))))
    if document.get("seeds"):
        seeds = ", ".join(f"{name} {seed}" for name, seed in document["seeds"].items())
        rows.append(("seeds", escape_cell(seeds)))
    if document.get("versions"):
        versions = ", ".join(f"{name} {v}" for name, v in document["versions"].items())
        rows.append(("versions", escape_cell(versions)))
    if document.get("content_sha256"):
        rows.append(("content sha256", _code(document["content_sha256"])))
    lines = ["## Inputs", "", "| input | value |", "|---|---|"]
    lines += [f"| {name} | {value} |" for name, value in rows]
    return [*lines, ""]


def _changes(document: Mapping[str, Any]) -> list[str]:
    changes = document["inputs"].get("changes") or []
    lines = ["## Parameter changes", ""]
    if not changes:
        lines.append("None: the parameters checked are the base set's.")
        return [*lines, ""]
    lines += ["| parameter | base | value | line |", "|---|---:|---:|---:|"]
    for change in changes:
        line = change.get("line")
        lines.append(
            f"| {escape_cell(change['parameter'])} | {escape_cell(change.get('base', ''))} "
            f"| {escape_cell(change.get('value', ''))} | {'' if line is None else line} |"
        )
    return [*lines, ""]


def _fits(constitution: Mapping[str, Any]) -> str:
    if constitution.get("fits"):
        return "fits"
    return "**does not fit**: " + "; ".join(str(p) for p in constitution.get("problems") or [])


def _interval_text(items: Sequence[Mapping[str, Any]]) -> str:
    shown = [
        str(item["low"]) if item["low"] == item["high"] else f"{item['low']}..{item['high']}"
        for item in items
    ]
    return ", ".join(shown) or "none"


def _end_text(end: Mapping[str, Any]) -> str:
    if end.get("neighbour") is None:
        return f"{end['value']} PROVED; the domain ends there"
    if end.get("refuted_by") is None:
        return f"{end['value']} PROVED; {end['neighbour']} undecided"
    return f"{end['value']} PROVED; {end['neighbour']} REFUTED by {end['refuted_by']}"


def _keys(document: Mapping[str, Any]) -> list[str]:
    """Each changed key: the process it needs, whether it fits the constitution, its exact safe
    set with the other keys as proposed, and repairs."""
    keys = document.get("keys") or []
    if not keys:
        return []
    lines = [
        "## Changed keys",
        "",
        "For each key the input changes: the process the profile's constitution asks for "
        "(docs/constitution.md), whether the value fits it, and the exact values of the key that "
        "keep every Z3-proved invariant with the other keys as proposed.",
        "",
        "| parameter | value | process | vote | range | constitution | safe values | breaks |",
        "|---|---:|---|---|---|---|---|---|",
    ]
    for key in keys:
        row = key["constitution"]
        region = key.get("region") or {}
        safe = (
            _interval_text(region.get("safe") or [])
            if region.get("computed")
            else f"not computed: {region.get('reason', '')}"
        )
        breaks = ", ".join(region.get("breaks") or []) if region.get("computed") else "—"
        lines.append(
            f"| {escape_cell(key['parameter'])} | {escape_cell(key['value'])} "
            f"| {escape_cell(str(row['process']).replace('-', ' '))} | {escape_cell(row['vote'])} "
            f"| {escape_cell(_interval_text([{'low': row['minimum'], 'high': row['maximum']}]))} "
            f"| {_fits(row)} | {escape_cell(safe)} | {escape_cell(breaks or 'nothing')} |"
        )
    lines.append("")
    for key in keys:
        region = key.get("region") or {}
        if not region.get("computed"):
            continue
        lines.append(f"- {escape_cell(key['message'])}")
        for item in region.get("safe") or []:
            low, high = item["ends"]
            lines.append(
                f"  - safe {_interval_text([item])}: low end {_end_text(low)}; "
                f"high end {_end_text(high)}"
            )
        if region.get("unknown"):
            lines.append(f"  - undecided (never safe): {_interval_text(region['unknown'])}")
        for repair in key.get("repairs") or []:
            where = "=" if repair["low"] == repair["high"] else "in"
            lines.append(
                f"  - repair: {escape_cell(repair['parameter'])} {where} "
                f"{_interval_text([repair])} with it keeps every proved invariant"
            )
    if document.get("keys_note"):
        lines += ["", f"_{escape_cell(document['keys_note'])}_"]
    return [*lines, ""]


def _invariants(document: Mapping[str, Any]) -> list[str]:
    engines = get_engine_names(document)
    lines = [
        "## Invariants",
        "",
        "| ID | § | verdict | " + " | ".join(engines) + " |",
        "|---|---|---|" + "---|" * len(engines),
    ]
    for row in document["invariants"]:
        cells = []
        for engine in engines:
            evidence = row["engines"].get(engine)
            text = describe_verdict(engine, evidence) if evidence else "—"
            cells.append(escape_cell(text))
        verdict = row["verdict"]
        mark = VERDICT_MARKS.get(verdict, "")
        lines.append(
            f"| {escape_cell(row['id'])} | {escape_cell(row.get('section', ''))} "
            f"| {mark} {escape_cell(verdict)} | " + " | ".join(cells) + " |"
        )
    if not document["invariants"]:
        lines.append("| — | — | no invariant was selected |" + " — |" * len(engines))
    return [*lines, ""]


def _boundaries(document: Mapping[str, Any]) -> list[str]:
    """The boundary states the Hypothesis engine had to reach, and how often it did."""
    boundaries = (document.get("engines", {}).get("hypothesis") or {}).get("boundaries") or []
    if not boundaries:
        return []
    lines = [
        "## Boundary states (Hypothesis)",
        "",
        "A boundary never reached leaves its invariants vacuous (inconclusive), never a pass.",
        "",
        "| Boundary | § | Invariants | Steps | Examples |",
        "| --- | --- | --- | --- | --- |",
    ]
    for row in boundaries:
        reached = (
            "unreachable: " + str(row["unreachable"]) if row["unreachable"] else row["reached"]
        )
        lines.append(
            f"| {escape_cell(row['name'])} | {escape_cell(row['section'])} "
            f"| {escape_cell(', '.join(row['invariants']))} | {escape_cell(reached)} "
            f"| {row['examples']} |"
        )
    return [*lines, ""]


def _reproduce(document: Mapping[str, Any]) -> list[str]:
    inputs = document["inputs"]
    command = ["stratoverify", "check"]
    if is_file_input(document):
        command.append(str(inputs["source"]))
    base = inputs.get("base")
    if isinstance(base, Mapping) and base.get("source", _DEFAULTS_SOURCE) != _DEFAULTS_SOURCE:
        command += ["--base", str(base["source"])]
    for option in ("profile", "effort", "seed"):
        if option in inputs:
            command += [f"--{option}", str(inputs[option])]
    if inputs.get("only"):
        command += ["--only", *inputs["only"]]
    engines = list(inputs.get("engines") or ENGINE_ORDER)
    if engines != list(ENGINE_ORDER):
        command += ["--engines", ",".join(engines)]
    has_regressions = any(
        example.get("regression")
        for row in document["invariants"]
        for example in row.get("counterexamples") or []
    )
    regressions = (
        [
            "Each counterexample's regression test fails until it is fixed: `pytest regressions/`.",
            "",
        ]
        if has_regressions
        else []
    )
    return [
        "## Reproduce",
        "",
        "Re-run this report with its recorded inputs, seeds and selection; the verdicts must match:",
        "",
        *_fenced(["stratoverify reproduce report.json"], info="sh"),
        "",
        "or run the same check again:",
        "",
        *_fenced([shlex.join(command)], info="sh"),
        "",
        *regressions,
    ]


def _size(lines: Sequence[str]) -> int:
    return sum(len(line.encode("utf-8")) + 1 for line in lines)


def render_markdown(
    document: Mapping[str, Any],
    *,
    budget_bytes: int = BUDGET_BYTES,
    traces: Mapping[str, Trace] | None = None,
    contents: bool = True,
) -> str:
    """The report as Markdown for a CI step summary, at most `budget_bytes` of UTF-8.

    `traces` (artifact path -> ITF trace, `reports.counterexample_tables.load_traces`) adds to
    each counterexample's steps the chain values its invariant reads. `contents=False` leaves
    out the list of links to the sections, for a page that holds several reports (their
    headings repeat, so the links would all lead to the first)."""
    pairs = [
        (row, example)
        for row in document["invariants"]
        for example in row.get("counterexamples") or []
    ]
    head = [
        *_headline(document),
        *(_contents(document, counterexamples=bool(pairs)) if contents else []),
        *_inputs(document),
        *_changes(document),
        *_keys(document),
        *_invariants(document),
        *_boundaries(document),
    ]
    tail = _reproduce(document)
    body: list[str] = ["## Counterexamples", ""] if pairs else []
    # Room for the note that says how many were left out.
    used = _size(head) + _size(tail) + _size(body) + 512
    shown = 0
    for index, (row, example) in enumerate(pairs):
        first = index == 0 or pairs[index - 1][0] is not row
        block = render_counterexample(row, example, document, traces=traces, with_parameters=first)
        if used + _size(block) > budget_bytes:
            break
        body += block
        used += _size(block)
        shown += 1
    if shown < len(pairs):
        body += [
            f"_{len(pairs) - shown} of {len(pairs)} counterexamples are not shown, to keep this "
            "summary under GitHub's 1 MiB; report.json has them all._",
            "",
        ]
    return "\n".join([*head, *body, *tail]).rstrip("\n") + "\n"
