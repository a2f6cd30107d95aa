"""The report as SARIF 2.1.0 (`report.sarif`), for code-scanning views such as GitHub's.

Every catalogue invariant is one rule, listed in catalogue order so a rule's index never depends
on which invariants a report checked. A failing or inconclusive invariant is a result located at
the proposal lines that changed a parameter it reads (`PARAMETERS_READ`), so a reviewer sees the
alert beside the change that caused it.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import quote

from attrs import frozen

from properties.catalogue import CATALOGUE, PARAMETERS_READ, Engine, Invariant
from reports.markdown import (
    describe_failure,
    describe_reasons,
    get_exit_code,
    is_file_input,
)

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
TOOL_NAME = "stratoverify"
SRCROOT = "%SRCROOT%"
"""The base of every input's URI: the SARIF root (the checkout's top level)."""

FALLBACK_INFORMATION_URI = "urn:stratoverify:docs:guide"
"""`informationUri` while the package declares no home page: an absolute URI that names the
tool's guide (docs/guide.md) without pointing at a web address nobody publishes."""

RUNS_PER_LOG = 20
"""GitHub code scanning rejects a SARIF file with more runs than this."""

FINGERPRINT_KEY = "stratoverify/invariant-parameter/v1"
"""The partial fingerprint: the invariant ID and the changed parameters it reads."""

LEVELS = {"fail": "error", "inconclusive": "warning"}
"""The SARIF level of each verdict that makes a result; passes make none."""

_RULE_INDEX = {invariant.id: index for index, invariant in enumerate(CATALOGUE)}
_ENGINE_ORDER = tuple(Engine)


@frozen
class SourceLocation:
    """Where in the input file a result is shown: a line, and the change found there."""

    path: str
    """The input's path as given, with forward slashes."""
    line: int
    parameter: str | None
    """The changed parameter on that line; None when the input changes nothing."""
    base: object = None
    value: object = None


def get_source_path(document: Mapping[str, Any]) -> str | None:
    """The input file's path as given, with forward slashes; None for the whitepaper defaults."""
    if not is_file_input(document):
        return None
    path = str(document["inputs"]["source"]).replace("\\", "/")
    # "./p.json" and "p.json" are the same file; code-scanning matches the plain form.
    while path.startswith("./"):
        path = path[2:]
    return path


def get_source_locations(
    document: Mapping[str, Any], row: Mapping[str, Any]
) -> tuple[SourceLocation, ...]:
    """The input lines of an invariant's result: every change of a parameter it reads, else the
    first change (the result does not come from a parameter this input moves), else line 1."""
    path = get_source_path(document)
    if path is None:
        return ()
    changes = list(document["inputs"].get("changes") or [])
    read = PARAMETERS_READ.get(row["id"], ())
    located = [change for change in changes if change.get("parameter") in read] or changes[:1]
    if not located:
        return (SourceLocation(path=path, line=1, parameter=None),)
    return tuple(
        SourceLocation(
            path=path,
            line=int(change.get("line") or 1),
            parameter=change.get("parameter"),
            base=change.get("base"),
            value=change.get("value"),
        )
        for change in located
    )


def get_information_uri() -> str:
    """The tool's documentation: the home page the installed package declares, else
    `FALLBACK_INFORMATION_URI`."""
    try:
        package = metadata.metadata(TOOL_NAME)
    except metadata.PackageNotFoundError:
        return FALLBACK_INFORMATION_URI
    declared = dict(_split_project_url(entry) for entry in package.get_all("Project-URL") or [])
    for label in ("documentation", "homepage", "home", "repository", "source"):
        if declared.get(label):
            return declared[label]
    home_pages = [page for page in package.get_all("Home-page") or [] if page]
    return home_pages[0] if home_pages else FALLBACK_INFORMATION_URI


def _split_project_url(entry: str) -> tuple[str, str]:
    label, _, url = entry.partition(",")
    return label.strip().lower().replace("-", "").replace("_", ""), url.strip()


def _file_uri(path: str) -> str:
    if re.match(r"^[A-Za-z]:/", path):
        return "file:///" + quote(path, safe="/:")
    return "file://" + quote(path, safe="/")


def get_relative_path(path: str, root: Path) -> str | None:
    """`path` (relative to the current directory, or absolute) relative to `root`, with forward
    slashes; None when it lies outside `root`."""
    candidates = [(Path(os.path.abspath(path)), Path(os.path.abspath(root)))]
    candidates.append((Path(path).resolve(), root.resolve()))
    for absolute, base in candidates:
        try:
            return absolute.relative_to(base).as_posix()
        except ValueError:
            continue
    return None


def to_artifact_location(path: str, sarif_root: Path | None = None) -> dict[str, str]:
    """A SARIF artifactLocation: relative to `%SRCROOT%` for an input under the SARIF root (the
    current directory when no root is given), an absolute file URI for one outside it."""
    if re.match(r"^[A-Za-z]:/", path):
        # A Windows path given on another system: nothing here can make it relative.
        return {"uri": _file_uri(path)}
    relative = get_relative_path(path, sarif_root if sarif_root is not None else Path.cwd())
    if relative is None:
        return {"uri": _file_uri(os.path.abspath(path))}
    return {"uri": quote(relative, safe="/"), "uriBaseId": SRCROOT}


def get_root_uri(sarif_root: Path) -> str:
    """The SARIF root as an absolute file URI ending in a slash, as `originalUriBaseIds`
    requires."""
    uri = Path(os.path.abspath(sarif_root)).as_uri()
    return uri if uri.endswith("/") else uri + "/"


def get_label(document: Mapping[str, Any]) -> str:
    """How an input is named when several share one output: its path as given, or
    `whitepaper defaults`."""
    return get_source_path(document) or str(document["inputs"].get("source") or "defaults")


def normalize_labels(labels: Sequence[str]) -> list[str]:
    """`labels` with forward slashes and no leading `./`, a repeated one numbered (`p.json (2)`)
    so no two inputs share a category or a test name."""
    seen: dict[str, int] = {}
    normalized = []
    for label in labels:
        plain = label.replace("\\", "/")
        while plain.startswith("./"):
            plain = plain[2:]
        seen[plain] = seen.get(plain, 0) + 1
        normalized.append(plain if seen[plain] == 1 else f"{plain} ({seen[plain]})")
    return normalized


def get_automation_id(document: Mapping[str, Any], label: str) -> str:
    """`run.automationDetails.id`: `stratoverify/<profile>/<label>/`. It ends in `/`, so the whole
    id is the code-scanning category, one per input and profile."""
    profile = document["inputs"].get("profile") or "default"
    return f"{TOOL_NAME}/{profile}/{label.lstrip('/')}/"


def _engines_of(invariant: Invariant) -> list[str]:
    return [engine.value for engine in _ENGINE_ORDER if engine in invariant.engines]


def _rule_name(invariant_id: str) -> str:
    """A Pascal-case friendly name; SARIF asks that it differ from the id, so a one-word id
    (GROUNDED) is named after what it claims to hold."""
    name = "".join(part.capitalize() for part in invariant_id.split("-"))
    return name if name.lower() != invariant_id.lower() else f"{name}Holds"


def build_rule(invariant: Invariant) -> dict[str, Any]:
    """The SARIF rule of one catalogue invariant."""
    engines = _engines_of(invariant)
    parameters = list(PARAMETERS_READ.get(invariant.id, ()))
    read = ", ".join(parameters) if parameters else "none (only the profile decides it)"
    return {
        "id": invariant.id,
        "name": _rule_name(invariant.id),
        "shortDescription": {"text": invariant.statement},
        "fullDescription": {
            "text": f"Whitepaper §{invariant.section}: {invariant.statement}. "
            f"Checked by {', '.join(engines)}."
        },
        "help": {
            "text": f"{invariant.id} (whitepaper §{invariant.section}) must hold for every "
            f"parameter set governance can adopt. Parameters it reads: {read}. The report's "
            "report.md shows each counterexample; `stratoverify reproduce report.json` re-runs it."
        },
        "defaultConfiguration": {"level": "error"},
        "properties": {
            "tags": ["stratoverify", "invariant", invariant.id.split("-")[0].lower(), *engines],
            "section": invariant.section,
            "engines": engines,
            "parameters": parameters,
        },
    }


def describe_result(row: Mapping[str, Any], document: Mapping[str, Any] | None = None) -> str:
    """The message of a failing or inconclusive invariant: what broke, or why it is undecided;
    then, for each changed key whose value breaks it, the key's safe set and repairs."""
    if row["verdict"] == "fail":
        text = describe_failure(row)
    else:
        text = f"{row['id']} is inconclusive, which is not a pass: {describe_reasons(row)}"
    messages = get_key_messages(document or {}, row["id"])
    if messages:
        # The changed key and its repair lead: they are what a reviewer of the proposal acts on.
        text = ". ".join(messages) + f". Counterexample: {text}"
    return text


def get_key_messages(document: Mapping[str, Any], invariant_id: str) -> list[str]:
    """The messages of the changed keys (report.json's `keys`) whose value breaks
    `invariant_id`."""
    return [
        str(key["message"])
        for key in document.get("keys") or []
        if key.get("message") and invariant_id in (key.get("region") or {}).get("breaks", [])
    ]


def _location_messages(
    location: SourceLocation, row: Mapping[str, Any], keys: list[Mapping[str, Any]]
) -> list[str]:
    return [
        str(key["message"])
        for key in keys
        if key.get("parameter") == location.parameter
        and key.get("message")
        and row["id"] in (key.get("region") or {}).get("breaks", [])
    ]


def _location(
    location: SourceLocation,
    row: Mapping[str, Any],
    logical: dict[str, str],
    keys: list[Mapping[str, Any]],
    sarif_root: Path | None,
) -> dict[str, Any]:
    if location.parameter is None:
        text = "this input changes no parameter"
    elif location.parameter in PARAMETERS_READ.get(row["id"], ()):
        text = f"changes {location.parameter}: {location.base} -> {location.value}"
        text += "".join(f"; {message}" for message in _location_messages(location, row, keys))
    else:
        text = (
            f"the input's first change ({location.parameter}); {row['id']} reads none of the "
            "parameters this input changes"
        )
    return {
        "physicalLocation": {
            "artifactLocation": to_artifact_location(location.path, sarif_root),
            "region": {"startLine": location.line},
        },
        "logicalLocations": [logical],
        "message": {"text": text},
    }


def build_result(
    document: Mapping[str, Any], row: Mapping[str, Any], *, sarif_root: Path | None = None
) -> dict[str, Any]:
    """The SARIF result of one failing or inconclusive invariant."""
    invariant_id = row["id"]
    logical = {
        "name": invariant_id,
        "fullyQualifiedName": f"{TOOL_NAME}.{document['inputs'].get('profile')}.{invariant_id}",
    }
    located = get_source_locations(document, row)
    read = PARAMETERS_READ.get(invariant_id, ())
    # Only a changed parameter the invariant reads identifies the alert; a result that comes
    # from the base is the same alert whatever else the proposal changes.
    parameters = [location.parameter for location in located if location.parameter in read]
    result: dict[str, Any] = {"ruleId": invariant_id}
    if invariant_id in _RULE_INDEX:
        result["ruleIndex"] = _RULE_INDEX[invariant_id]
    result["level"] = LEVELS[row["verdict"]]
    result["message"] = {"text": describe_result(row, document)}
    keys = list(document.get("keys") or [])
    if located:
        result["locations"] = [
            _location(location, row, logical, keys, sarif_root) for location in located
        ]
    else:
        # The defaults are no file: the invariant itself is the only place to point at.
        result["locations"] = [{"logicalLocations": [logical]}]
    result["partialFingerprints"] = {FINGERPRINT_KEY: ":".join([invariant_id, *parameters])}
    result["properties"] = {
        "verdict": row["verdict"],
        "section": row.get("section", ""),
        "engines": {name: evidence.get("verdict") for name, evidence in row["engines"].items()},
        "parameters": parameters,
        "counterexamples": [
            {key: example.get(key) for key in ("engine", "source", "trace", "regression")}
            for example in row.get("counterexamples") or []
        ],
    }
    return result


def _invocation(document: Mapping[str, Any]) -> dict[str, Any]:
    failed = [
        (name, engine.get("reason") or "no reason given")
        for name, engine in (document.get("engines") or {}).items()
        if engine.get("verdict") == "error"
    ]
    invocation: dict[str, Any] = {
        "executionSuccessful": not failed,
        "exitCode": get_exit_code(document),
    }
    if failed:
        invocation["toolExecutionNotifications"] = [
            {"level": "error", "message": {"text": f"the {name} engine failed: {reason}"}}
            for name, reason in failed
        ]
    return invocation


def _run_properties(document: Mapping[str, Any]) -> dict[str, Any]:
    inputs = document["inputs"]
    properties: dict[str, Any] = {
        "verdict": document["verdict"],
        "exitCode": get_exit_code(document),
    }
    for key in ("source", "kind", "profile", "effort", "seed", "params_sha256", "input_sha256"):
        if key in inputs:
            properties[key] = inputs[key]
    if document.get("content_sha256"):
        properties["content_sha256"] = document["content_sha256"]
    return properties


def build_run(
    document: Mapping[str, Any], *, label: str | None = None, sarif_root: Path | None = None
) -> dict[str, Any]:
    """One SARIF run for one input: the catalogue's rules, a result per failing or
    inconclusive invariant, and an `automationDetails.id` of its own (see `get_automation_id`)."""
    versions = document.get("versions") or {}
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": TOOL_NAME,
                "version": str(versions.get("stratoverify", "")),
                "informationUri": get_information_uri(),
                "rules": [build_rule(invariant) for invariant in CATALOGUE],
            }
        },
        "automationDetails": {
            "id": get_automation_id(document, label or get_label(document)),
        },
    }
    if sarif_root is not None:
        run["originalUriBaseIds"] = {SRCROOT: {"uri": get_root_uri(sarif_root)}}
    run["invocations"] = [_invocation(document)]
    path = get_source_path(document)
    if path is not None:
        artifact: dict[str, Any] = {"location": to_artifact_location(path, sarif_root)}
        if document["inputs"].get("input_sha256"):
            artifact["hashes"] = {"sha-256": document["inputs"]["input_sha256"]}
        run["artifacts"] = [artifact]
    run["results"] = [
        build_result(document, row, sarif_root=sarif_root)
        for row in document["invariants"]
        if row["verdict"] in LEVELS
    ]
    run["properties"] = _run_properties(document)
    return run


def dump_log(runs: Sequence[Mapping[str, Any]]) -> str:
    """A SARIF 2.1.0 log of `runs`, as indented JSON."""
    log = {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": list(runs)}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def render_sarif(document: Mapping[str, Any], *, sarif_root: Path | None = None) -> str:
    """The report as a SARIF 2.1.0 log: one rule per catalogue ID, one result per failing or
    inconclusive invariant."""
    return dump_log([build_run(document, sarif_root=sarif_root)])


def render_sarif_logs(
    documents: Sequence[Mapping[str, Any]],
    labels: Sequence[str],
    *,
    sarif_root: Path | None = None,
) -> list[str]:
    """One SARIF log per `RUNS_PER_LOG` inputs (GitHub's limit per upload), a run per input
    named by its label; a single log for up to 20 inputs."""
    if len(documents) != len(labels):
        raise ValueError(f"{len(documents)} reports but {len(labels)} labels")
    runs = [
        build_run(document, label=label, sarif_root=sarif_root)
        for document, label in zip(documents, normalize_labels(labels), strict=True)
    ]
    chunks = [runs[start : start + RUNS_PER_LOG] for start in range(0, len(runs), RUNS_PER_LOG)]
    return [dump_log(chunk) for chunk in chunks or [[]]]
