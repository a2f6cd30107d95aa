"""Safe regions of parameter keys and what the constitution says of them, as the tool reports them.

A key's safe set is exactly the values that, the other keys fixed, keep every invariant the Z3
engine checks proved (`solver.region`); each end of a safe interval carries its evidence (the end
proved, its neighbour refuted by a named invariant). This module turns those records and the
profile's constitution (`model.constitution`, docs/constitution.md) into JSON documents, the
`region` command's text, and the per-key section `check` adds for every key a proposal changes.
Renderers read the documents only, so a report on disk is all they need.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from attrs import frozen

from model.constitution import Constitution, Process, get_constitution
from model.params import Params, ParamSpec, get_param_by_name, param_specs, params_to_document
from model.profile import PROFILES, Profile
from reports.inputs import GOV_V1_PROPOSAL, LEGACY_PROPOSAL, InputError, LoadedParams
from reports.param_documents import suggest
from reports.report import canonical_json
from solver.prove import SolverSettings
from solver.region import (
    End,
    Interval,
    KeyRegion,
    PairRegion,
    get_key_region,
    get_pair_region,
    get_repairs,
)

REGION_SCHEMA = "stratoverify/region/1"

PARAMETER_CHANGE_KINDS = frozenset({LEGACY_PROPOSAL, GOV_V1_PROPOSAL})
"""Inputs that are parameter-change proposals: the process they use is fixed by their shape."""

MAX_REGION_KEYS = 8
"""`check` computes the safe set of at most this many changed keys (in parameter order)."""

REGION_BUDGET_SECONDS: Mapping[str, float] = {"quick": 30.0, "default": 60.0, "thorough": 600.0}
"""`check`'s time for the changed keys' safe sets and repairs, per effort, shared by the keys;
a search still running when it is spent is stopped, and every key left without a safe set is
reported with the reason."""

MAX_REPAIRS_SHOWN = 3
"""How many repairs a one-line message names; the documents list them all."""

Progress = Callable[[str], None]


# --- Keys by name ------------------------------------------------------------------------------


def get_key_spec(name: str) -> ParamSpec:
    """The spec of the key written `subspace.key`; an unknown one is an `InputError` naming the
    closest known key."""
    specs = {spec.name: spec for spec in param_specs()}
    if name in specs:
        return specs[name]
    raise InputError(
        f"unknown parameter {name!r}{suggest(name, specs)}; "
        "`stratoverify params --format table` lists every key"
    )


# --- Interval sets as text ---------------------------------------------------------------------


def format_interval(low: int, high: int) -> str:
    """`1000` for one value, `0..1000` for a range."""
    return str(low) if low == high else f"{low}..{high}"


def format_intervals(intervals: Sequence[Mapping[str, int]], *, empty: str = "none") -> str:
    """`0..500, 1000` for a list of `{"low", "high"}` documents, or `empty`."""
    if not intervals:
        return empty
    return ", ".join(format_interval(item["low"], item["high"]) for item in intervals)


def describe_range(minimum: int, maximum: int) -> str:
    """`range 0..10000`, or `fixed value 2` for a range of one value."""
    if minimum == maximum:
        return f"fixed value {minimum}"
    return f"range {minimum}..{maximum}"


def describe_end(end: Mapping[str, Any]) -> str:
    """`1000 PROVED; 1001 REFUTED by GOV-PARAMS`, `...; the domain ends there`, or `...; 1001
    undecided` where the solver could not decide the neighbour."""
    if end.get("neighbour") is None:
        return f"{end['value']} PROVED; the domain ends there"
    if end.get("refuted_by") is None:
        return f"{end['value']} PROVED; {end['neighbour']} undecided"
    return f"{end['value']} PROVED; {end['neighbour']} REFUTED by {end['refuted_by']}"


# --- The constitution's word on one key --------------------------------------------------------


@frozen
class ConstitutionFit:
    """What the profile's constitution says of one key at one value: its row, and whether the
    value fits (in the row's range, every ratio bound met, a process the input may use)."""

    constitution: str
    key: str
    value: int
    process: str
    vote: str
    minimum: int
    maximum: int
    section: str
    reason: str
    fits: bool
    problems: tuple[str, ...]


def _process_words(process: Process) -> str:
    return "an amendment" if process is Process.AMENDMENT else "a parameter change"


def get_constitution_fit(
    constitution: Constitution,
    params: Params,
    key: str,
    *,
    by_parameter_change: bool,
    changed: Sequence[str] = (),
) -> ConstitutionFit:
    """§6.8: whether `params`' value of `key` fits `constitution`; `by_parameter_change` when the
    value comes from a parameter-change proposal, `changed` every key that proposal changes."""
    value = get_param_by_name(params, key)
    row = constitution.rows.get(key)
    if row is None:  # every profile lists every key; a missing one must not pass unnoticed
        return ConstitutionFit(
            constitution.name, key, value, "none", "none", 0, 0, "", "", False,
            (f"the {constitution.name} constitution has no row for {key}",),
        )  # fmt: skip
    problems: list[str] = []
    if not row.minimum <= value <= row.maximum:
        if row.minimum == row.maximum:
            problems.append(f"{value} is not its fixed value {row.minimum}")
        else:
            problems.append(f"{value} is outside its range {row.minimum}..{row.maximum}")
    for bound in constitution.ratio_bounds:
        if key not in (bound.num_key, bound.den_key):
            continue
        num = get_param_by_name(params, bound.num_key)
        den = get_param_by_name(params, bound.den_key)
        if num * bound.least.den < bound.least.num * den or num >= den:
            problems.append(
                f"{bound.num_key}/{bound.den_key} = {num}/{den} must be at least "
                f"{bound.least} and below 1 (§{bound.section})"
            )
    if by_parameter_change and row.process is Process.AMENDMENT:
        problems.append(
            f"{key} changes only by amendment (§{row.section}), not by a parameter-change proposal"
        )
    processes = {
        other.process for name in changed if (other := constitution.rows.get(name)) is not None
    }
    if len(processes) > 1 and not constitution.mixed_processes:
        problems.append("one proposal may not change keys of both processes")
    return ConstitutionFit(
        constitution=constitution.name,
        key=key,
        value=value,
        process=row.process.value,
        vote=row.vote,
        minimum=row.minimum,
        maximum=row.maximum,
        section=row.section,
        reason=row.reason,
        fits=not problems,
        problems=tuple(problems),
    )


def constitution_document(fit: ConstitutionFit) -> dict[str, Any]:
    """A fit as JSON: the row, `fits`, and each reason it does not."""
    return {
        "constitution": fit.constitution,
        "process": fit.process,
        "vote": fit.vote,
        "minimum": fit.minimum,
        "maximum": fit.maximum,
        "section": fit.section,
        "reason": fit.reason,
        "fits": fit.fits,
        "problems": list(fit.problems),
    }


def describe_constitution(document: Mapping[str, Any], value: int) -> str:
    """`needs a parameter change by x/gov supermajority, range 0..10000 (§6.4, 6.8); 1200 fits`."""
    process = "an amendment" if document["process"] == Process.AMENDMENT.value else None
    if process is None:
        process = f"a parameter change by {document['vote']}"
    text = (
        f"needs {process}, {describe_range(document['minimum'], document['maximum'])} "
        f"(§{document['section']}, {document['constitution']} constitution); "
    )
    if document["fits"]:
        return text + f"{value} fits"
    return text + f"{value} does not fit: " + "; ".join(document["problems"])


# --- Region documents --------------------------------------------------------------------------


def _interval(interval: Interval) -> dict[str, int]:
    return {"low": interval.low, "high": interval.high}


def _end(end: End) -> dict[str, Any]:
    return {"value": end.value, "neighbour": end.neighbour, "refuted_by": end.refuted_by}


def region_document(region: KeyRegion) -> dict[str, Any]:
    """A key's region as JSON: domain, safe intervals with the evidence of their ends, the
    invariants refuted at the value, undecided ranges, and whether the value is safe."""
    safe = [
        {**_interval(interval), "ends": [_end(low), _end(high)]}
        for interval, (low, high) in zip(region.safe, region.ends, strict=True)
    ]
    return {
        "key": region.key,
        "value": region.value,
        "domain": _interval(region.domain),
        "safe": safe,
        "value_is_safe": any(item.low <= region.value <= item.high for item in region.safe),
        "breaks": list(region.breaks),
        "fixed_breaks": list(getattr(region, "fixed_breaks", ())),
        "unknown": [_interval(interval) for interval in region.unknown],
    }


def repairs_document(repairs: Sequence[tuple[str, Interval]]) -> list[dict[str, Any]]:
    """Repairs as JSON: each other key and the values that, with the change, keep every proof."""
    return [{"parameter": key, **_interval(interval)} for key, interval in repairs]


def describe_region(
    key: str,
    value: int,
    region: Mapping[str, Any],
    repairs: Sequence[Mapping[str, Any]],
    *,
    repairs_note: str = "",
) -> str:
    """One sentence: what the value breaks, the safe set with the other keys fixed, and repairs.

    `payment.str_burn_bps = 1200 breaks GOV-PARAMS; with the other keys fixed only 1000 keeps
    every proved invariant; moving payment.str_node_profit_bps to 1800 with it keeps them`."""
    safe = region["safe"]
    safe_text = format_intervals(safe)
    many = len(safe) > 1 or any(item["low"] != item["high"] for item in safe)
    keep = "keep" if many else "keeps"
    if region["value_is_safe"]:
        return (
            f"{key} = {value} keeps every proved invariant; with the other keys fixed the safe "
            f"values are {safe_text}"
        )
    if region["breaks"]:
        head = f"{key} = {value} breaks {', '.join(region['breaks'])}"
    else:
        head = f"{key} = {value} is not proved safe (the solver left it undecided)"
    fixed = region.get("fixed_breaks") or []
    if safe:
        head += f"; with the other keys fixed only {safe_text} {keep} every proved invariant"
    elif fixed:
        head += (
            f"; no value of {key} keeps every proved invariant while {', '.join(fixed)} (which"
            f" {'does' if len(fixed) == 1 else 'do'} not read it) {'is' if len(fixed) == 1 else 'are'}"
            " refuted at the other keys' values"
        )
    else:
        head += "; with the other keys fixed no value keeps every proved invariant"
    if region["unknown"]:
        head += f" (undecided: {format_intervals(region['unknown'])})"
    if repairs:
        moves = [
            f"{repair['parameter']} to "
            + (
                str(repair["low"])
                if repair["low"] == repair["high"]
                else f"a value in {repair['low']}..{repair['high']}"
            )
            for repair in repairs[:MAX_REPAIRS_SHOWN]
        ]
        more = len(repairs) - MAX_REPAIRS_SHOWN
        tail = f" (and {more} more in the report)" if more > 0 else ""
        comma = "," if len(moves) > 1 else ""
        head += f"; moving {', or '.join(moves)}{comma} with it keeps them{tail}"
    elif repairs_note:
        head += f"; {repairs_note}"
    elif region["breaks"]:
        head += "; no other single key moved with it keeps them"
    return head


def render_region_text(document: Mapping[str, Any]) -> str:
    """The `region` command's text for one key: safe set, each end's evidence, the constitution."""
    base = document["base"]
    region = document["region"]
    value = region["value"]
    lines = [
        f"{region['key']} = {value} on {_describe_base(base)}, profile "
        f"{document['profile']}; domain {format_interval(**region['domain'])}",
        f"safe, the other keys fixed: {format_intervals(region['safe'])}",
    ]
    for item in region["safe"]:
        low, high = item["ends"]
        lines.append(f"  {format_interval(item['low'], item['high'])}")
        lines.append(f"    low end:  {describe_end(low)}")
        lines.append(f"    high end: {describe_end(high)}")
    if region["unknown"]:
        lines.append(f"undecided (never counted safe): {format_intervals(region['unknown'])}")
    if region.get("fixed_breaks"):
        lines.append(
            "refuted whatever the key's value (they do not read it): "
            + ", ".join(region["fixed_breaks"])
        )
    if region["value_is_safe"]:
        lines.append(f"at {value}: every Z3-checked invariant proved")
    elif region["breaks"]:
        lines.append(f"at {value}: refuted: {', '.join(region['breaks'])}")
    else:
        lines.append(f"at {value}: not proved safe (undecided)")
    lines.append(f"constitution: {describe_constitution(document['constitution'], value)}")
    lines.append(f"  reason: {document['constitution']['reason']}")
    return "\n".join(lines) + "\n"


def render_pair_text(document: Mapping[str, Any]) -> str:
    """The `region` command's text for two keys: one row per sampled x, its safe y values."""
    base = document["base"]
    key_x, key_y = document["key_x"], document["key_y"]
    lines = [
        f"{key_x} (x) and {key_y} (y) on {_describe_base(base)}, profile "
        f"{document['profile']}; the other keys fixed",
        f"at the base: x = {document['value_x']}, y = {document['value_y']}; "
        f"domains x {format_interval(**document['domain_x'])}, "
        f"y {format_interval(**document['domain_y'])}",
        "",
    ]
    width = max([len(str(row["x"])) for row in document["rows"]] + [1])
    lines.append(f"  {'x':>{width}}  safe y")
    for row in document["rows"]:
        mark = "*" if row["x"] == document["value_x"] else " "
        text = format_intervals(row["safe"])
        if row["unknown"]:
            text += f"  (undecided: {format_intervals(row['unknown'])})"
        lines.append(f"{mark} {row['x']:>{width}}  {text}")
    lines.append("")
    lines.append("* the base's x value")
    return "\n".join(lines) + "\n"


# --- The `region` command ----------------------------------------------------------------------


@frozen
class RegionRun:
    """A finished `region` command: the document and the records it was made from."""

    document: Mapping[str, Any]
    key_region: KeyRegion | None
    pair_region: PairRegion | None
    milliseconds: int


def _base_document(loaded: LoadedParams) -> dict[str, Any]:
    digest = hashlib.sha256(canonical_json(params_to_document(loaded.params))).hexdigest()
    return {"source": loaded.source, "kind": loaded.kind, "params_sha256": digest}


def _describe_base(base: Mapping[str, Any]) -> str:
    if base["source"] == base["kind"]:
        return str(base["source"])
    return f"{base['source']} ({base['kind']})"


def run_key_region(
    loaded: LoadedParams, profile_name: str, key: str, *, settings: SolverSettings
) -> RegionRun:
    """One key's exact safe set on `loaded`, and the constitution's row for it."""
    profile = PROFILES[profile_name]
    region = get_key_region(loaded.params, profile, key, settings=settings)
    fit = get_constitution_fit(
        get_constitution(profile), loaded.params, key, by_parameter_change=False
    )
    document = {
        "schema": REGION_SCHEMA,
        "kind": "key",
        "profile": profile_name,
        "base": _base_document(loaded),
        "region": region_document(region),
        "constitution": constitution_document(fit),
    }
    return RegionRun(document, region, None, region.milliseconds)


def run_pair_region(
    loaded: LoadedParams,
    profile_name: str,
    key_x: str,
    key_y: str,
    *,
    settings: SolverSettings,
    samples: int = 21,
    xs: Sequence[int] | None = None,
) -> RegionRun:
    """Two keys' safe map on `loaded`: for each sampled x value (or each of `xs`), the safe y
    values."""
    profile = PROFILES[profile_name]
    pair = get_pair_region(
        loaded.params, profile, key_x, key_y, samples=samples, settings=settings, xs=xs
    )
    spec_x, spec_y = get_key_spec(key_x), get_key_spec(key_y)
    rows = [
        {
            "x": x,
            "safe": [_interval(interval) for interval in region.safe],
            "unknown": [_interval(interval) for interval in region.unknown],
            "breaks": list(region.breaks),
        }
        for x, region in pair.rows
    ]
    document = {
        "schema": REGION_SCHEMA,
        "kind": "pair",
        "profile": profile_name,
        "base": _base_document(loaded),
        "key_x": key_x,
        "key_y": key_y,
        "value_x": pair.value_x,
        "value_y": pair.value_y,
        "domain_x": {"low": spec_x.minimum, "high": spec_x.maximum},
        "domain_y": {"low": spec_y.minimum, "high": spec_y.maximum},
        "rows": rows,
    }
    return RegionRun(document, None, pair, pair.milliseconds)


# --- `check`: the keys a proposal changes -------------------------------------------------------


@frozen
class KeysRun:
    """The per-key section of a check: one document per changed key, and the time spent."""

    keys: tuple[Mapping[str, Any], ...]
    milliseconds: Mapping[str, int]
    note: str
    """Why some keys have no safe set (a time budget, the engines chosen), or empty."""


def _not_computed(reason: str) -> dict[str, Any]:
    return {"computed": False, "reason": reason}


def _key_region_task(params: Params, profile_name: str, key: str, seed: int) -> KeyRegion:
    """`get_key_region` as a worker process runs it (by names and plain values)."""
    return get_key_region(params, PROFILES[profile_name], key, settings=SolverSettings(seed=seed))


def _repairs_task(
    params: Params, profile_name: str, key: str, value: int, seed: int
) -> tuple[tuple[str, Interval], ...]:
    """`get_repairs` as a worker process runs it."""
    return get_repairs(
        params, PROFILES[profile_name], key, value, settings=SolverSettings(seed=seed)
    )


class _Worker:
    """A child process the safe sets are searched in, so a time budget can stop a search that
    has begun (a Z3 query cannot be interrupted from the thread that waits for it)."""

    def __init__(self) -> None:
        self.pool: Any = None

    def call(self, function: Callable[..., Any], args: tuple[Any, ...], timeout: float) -> Any:
        """`function(*args)` in the child; None if it has not returned within `timeout` s (the
        child is then stopped). An exception in the child is raised here."""
        if self.pool is None:
            # A fresh interpreter: no engine state, thread or open solver of this process is
            # copied into it.
            self.pool = multiprocessing.get_context("spawn").Pool(processes=1)
        pending = self.pool.apply_async(function, args)
        try:
            return pending.get(timeout=max(timeout, 0.001))
        except multiprocessing.TimeoutError:
            self.close()
            return None

    def close(self) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None


@frozen
class _Budget:
    """The safe sets' share of a check: a time budget from `started`, the effort it is of."""

    seconds: float
    effort: str
    started: float
    clock: Callable[[], float]

    def left(self) -> float:
        return self.seconds - (self.clock() - self.started)

    def describe(self, what: str) -> str:
        return f"{what} the {self.seconds:g} s budget of effort {self.effort} for safe sets"


def _attempt(
    worker: _Worker, function: Callable[..., Any], args: tuple[Any, ...], timeout: float
) -> tuple[Any, str]:
    """`worker.call`, and why it gave nothing: "" (it returned, or the time ran out: None), or
    the error it raised, in one line (a solver bug must not lose the engines' results)."""
    try:
        return worker.call(function, args, timeout), ""
    except Exception as error:
        worker.close()
        return None, " ".join(f"{type(error).__name__}: {error}".split())[:300]


def _search_key(
    entry: dict[str, Any],
    loaded: LoadedParams,
    profile: Profile,
    *,
    seed: int,
    budget: _Budget,
    worker: _Worker,
) -> bool:
    """Fill `entry`'s region, repairs and message; False if no safe set came back (the budget
    stopped the search, or it failed)."""
    key, value = entry["parameter"], entry["value"]
    arguments = (loaded.params, profile.name, key, seed)
    region, failure = _attempt(worker, _key_region_task, arguments, budget.left())
    if failure:
        entry["region"] = _not_computed(f"the search failed ({failure})")
        return False
    if region is None:
        entry["region"] = _not_computed(budget.describe("the search did not end within"))
        return False
    found = region_document(region)
    repairs: list[dict[str, Any]] = []
    if not found["value_is_safe"]:
        repaired, failure = _attempt(
            worker, _repairs_task, (*arguments[:3], value, seed), budget.left()
        )
        if failure:
            entry["repairs_note"] = f"the search for repairs failed ({failure})"
        elif repaired is None:
            entry["repairs_note"] = budget.describe("repairs not searched to the end within")
        else:
            repairs = repairs_document(repaired)
    entry["region"] = {"computed": True, **found}
    entry["repairs"] = repairs
    entry["message"] = describe_region(
        key, value, found, repairs, repairs_note=entry["repairs_note"]
    )
    return True


def analyse_changes(
    loaded: LoadedParams,
    profile: Profile,
    *,
    effort: str,
    seed: int,
    with_regions: bool = True,
    progress: Progress | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> KeysRun:
    """For each key `loaded` changes: the process it needs and whether it fits the profile's
    constitution, its exact safe set on the proposed parameters (the other keys fixed), and,
    when the proposed value breaks a proof, the other keys that moved with it repair that.

    The safe sets share effort's budget (`REGION_BUDGET_SECONDS`) and cover at most
    `MAX_REGION_KEYS` keys; a key past either bound is listed with the reason it has none."""
    say = progress or (lambda _: None)
    if not loaded.changes:
        return KeysRun((), {}, "")
    constitution = get_constitution(profile)
    changed = tuple(change.parameter for change in loaded.changes)
    seconds = REGION_BUDGET_SECONDS.get(effort, REGION_BUDGET_SECONDS["default"])
    budget = _Budget(seconds, effort, clock(), clock)
    keys: list[dict[str, Any]] = []
    spent: dict[str, int] = {}
    skipped: list[str] = []
    worker = _Worker()
    try:
        for index, change in enumerate(loaded.changes):
            fit = get_constitution_fit(
                constitution,
                loaded.params,
                change.parameter,
                by_parameter_change=loaded.kind in PARAMETER_CHANGE_KINDS,
                changed=changed,
            )
            entry: dict[str, Any] = {
                "parameter": change.parameter,
                "base": change.base,
                "value": change.value,
                "line": change.line,
                "constitution": constitution_document(fit),
                "region": _not_computed("the z3 engine was not selected"),
                "repairs": [],
                "repairs_note": "",
                "message": "",
            }
            keys.append(entry)
            begun = clock()
            if not with_regions:
                continue
            if index >= MAX_REGION_KEYS:
                reason = f"only the first {MAX_REGION_KEYS} changed keys get a safe set"
                entry["region"] = _not_computed(reason)
            elif budget.left() <= 0:
                entry["region"] = _not_computed(budget.describe("no time left in"))
            else:
                say(f"safe set of {change.parameter} (the other keys as proposed)")
                searched = _search_key(
                    entry, loaded, profile, seed=seed, budget=budget, worker=worker
                )
                spent[change.parameter] = round((clock() - begun) * 1000)
                if searched:
                    continue
            skipped.append(change.parameter)
    finally:
        worker.close()
    note = ""
    if skipped:
        reasons = dict.fromkeys(
            key["region"]["reason"] for key in keys if key["parameter"] in skipped
        )
        note = f"no safe set for {', '.join(skipped)}: {'; '.join(reasons)}"
    elif not with_regions:
        note = "no safe sets: the z3 engine was not selected"
    return KeysRun(tuple(keys), spent, note)


def render_keys_text(document: Mapping[str, Any]) -> list[str]:
    """The per-key lines of `check`'s terminal output (empty when nothing changed)."""
    keys = document.get("keys") or []
    if not keys:
        return []
    lines = ["", "changed keys:"]
    for key in keys:
        lines.append(
            f"  {key['parameter']} = {key['value']} (was {key['base']}): "
            f"{describe_constitution(key['constitution'], key['value'])}"
        )
        region = key["region"]
        if region.get("computed"):
            lines.append(f"    {key['message']}")
            lines.append(
                f"    safe, the other keys as proposed: {format_intervals(region['safe'])}"
            )
        else:
            lines.append(f"    safe set not computed: {region['reason']}")
    note = document.get("keys_note")
    if note:
        lines.append(f"  note: {note}")
    return lines


def get_key_messages(document: Mapping[str, Any], invariant_id: str) -> list[str]:
    """The messages of the changed keys whose proposed value breaks `invariant_id`."""
    return [
        key["message"]
        for key in document.get("keys") or []
        if key.get("message") and invariant_id in (key.get("region") or {}).get("breaks", [])
    ]
