"""A sweep's report: every point's outcome, merged in point order, and its content hash.

The document (`SWEEP_SCHEMA`, schema in sweep/schema/sweep-report.schema.json) holds the sweep's
normalised spec, each point's verdict, failing IDs, counterexamples and its own check report's
hash, the margins (`sweep.margins`), the proved regions of each pair of keys, and a summary. Its
`content_sha256` covers everything but `timings` and `workers`: the same spec, base and seed give
the same hash on one worker or sixty-four, whichever finished first.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from reports.inputs import LoadedParams
from reports.report import canonical_json
from reports.several import combine_exit_codes
from sweep.margins import compute_margins
from sweep.spec import SweepSpec

SWEEP_SCHEMA = "stratoverify-sweep/1"
UNHASHED = ("content_sha256", "timings", "workers")
"""What the content hash leaves out: where and how long the points ran."""


def describe_base(spec: SweepSpec, base: LoadedParams) -> dict[str, Any]:
    """The base as the report records it: by its parameters' hash, not by where its file lies."""
    from reports.check import get_params_sha256  # noqa: PLC0415 - the engines' module

    return {
        "source": "whitepaper defaults" if spec.base is None else "parameter set",
        "params_sha256": get_params_sha256(base.params),
    }


def spec_document(spec: SweepSpec, base: LoadedParams) -> dict[str, Any]:
    """The spec's canonical document, its base named by content."""
    document = spec.to_document()
    document["base"] = describe_base(spec, base)
    return document


def build_document(
    spec: SweepSpec,
    base: LoadedParams,
    *,
    invariants: Sequence[str],
    points: Sequence[tuple[Mapping[str, int], Mapping[str, Any]]],
    regions: Sequence[Mapping[str, Any]],
    timings: Mapping[str, Any],
    workers: Mapping[str, Any],
) -> dict[str, Any]:
    """The sweep's document from each point's (values, summary), in point order."""
    keys = [axis.name for axis in spec.keys]
    rows = [
        {"index": index, "values": dict(values), **summary, "margin": None}
        for index, (values, summary) in enumerate(points)
    ]
    margins = compute_margins(keys, rows)
    for row in rows:
        row["margin"] = margins.get(row["index"])
    counts = {
        verdict: sum(row["verdict"] == verdict for row in rows)
        for verdict in ("pass", "fail", "inconclusive")
    }
    specification = spec_document(spec, base)
    document: dict[str, Any] = {
        "schema": SWEEP_SCHEMA,
        "spec": specification,
        "spec_sha256": hashlib.sha256(canonical_json(specification)).hexdigest(),
        "keys": keys,
        "invariants": list(invariants),
        "points": rows,
        "regions": [dict(region) for region in regions],
        "summary": {"points": len(rows), **counts},
        "verdict": _verdict(rows),
        "exit_code": combine_exit_codes([row["exit_code"] for row in rows]),
        "content_sha256": "",
        "timings": dict(timings),
        "workers": dict(workers),
    }
    document["content_sha256"] = compute_sweep_sha256(document)
    return document


def _verdict(rows: Sequence[Mapping[str, Any]]) -> str:
    verdicts = {row["verdict"] for row in rows}
    if "fail" in verdicts:
        return "fail"
    if "inconclusive" in verdicts:
        return "inconclusive"
    return "pass"


def compute_sweep_sha256(document: Mapping[str, Any]) -> str:
    """The hash of a sweep document without its hash, timings and workers."""
    content = {key: value for key, value in document.items() if key not in UNHASHED}
    return hashlib.sha256(canonical_json(content)).hexdigest()


def dump_sweep(document: Mapping[str, Any]) -> str:
    """sweep.json's text."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
