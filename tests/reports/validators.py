"""Third-party validators for the files we write: Microsoft's SARIF Multitool for SARIF (the
2.1.0 schema, its own SARIF rules and GitHub's ingestion rules) and the Jenkins xunit plugin's
junit-10.xsd for JUnit XML, read with the xmlschema package.

Both live in `.tools/` of the checkout, put there by `tools/install-validators`; a missing one
fails the test with that instruction, never skips it.
"""

from __future__ import annotations

import json
import platform
import subprocess
import tempfile
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import xmlschema

CHECKOUT = Path(__file__).resolve().parents[2]
TOOLS = CHECKOUT / ".tools"
JUNIT_XSD = TOOLS / "junit-10.xsd"
_PLATFORMS = {"Linux": "linux", "Darwin": "darwin", "Windows": "win32"}
SARIF_MULTITOOL = (
    TOOLS
    / "sarif-multitool/node_modules/@microsoft"
    / f"sarif-multitool-{_PLATFORMS.get(platform.system(), 'linux')}"
    / "Sarif.Multitool"
)
RULE_KINDS = "Sarif;Gh"
"""The Multitool's SARIF rules and its GitHub (code scanning ingestion) rules."""
LEVELS = "Error;Warning;Note"

INSTALL = "run tools/install-validators (it installs the validators into .tools/)"


def _require(path: Path) -> None:
    if not path.exists():
        pytest.fail(f"{path.relative_to(CHECKOUT)} is missing: {INSTALL}", pytrace=False)


@cache
def _junit_schema() -> xmlschema.XMLSchema10:
    _require(JUNIT_XSD)
    return xmlschema.XMLSchema10(str(JUNIT_XSD))


def junit_errors(text: str) -> list[str]:
    """Every way `text` breaks junit-10.xsd, one line each; empty when it is valid."""
    return [f"{error.path}: {error.reason}" for error in _junit_schema().iter_errors(text)]


def sarif_findings(logs: Mapping[str, str]) -> dict[str, list[str]]:
    """The Multitool's errors, warnings and notes for each SARIF log in `logs` (file name ->
    text), validated in one run of the tool; a valid log maps to an empty list."""
    _require(SARIF_MULTITOOL)
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        for name, text in logs.items():
            (base / name).write_text(text, encoding="utf-8")
        output = base / "validation.json"
        completed = subprocess.run(
            [
                str(SARIF_MULTITOOL),
                "validate",
                *(str(base / name) for name in logs),
                "--rule-kind",
                RULE_KINDS,
                "--level",
                LEVELS,
                "--output",
                str(output),
                "--log",
                "ForceOverwrite",
                "--quiet",
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if not output.exists():
            pytest.fail(f"the SARIF Multitool wrote no log: {completed.stderr or completed.stdout}")
        validation: dict[str, Any] = json.loads(output.read_text(encoding="utf-8-sig"))
    findings: dict[str, list[str]] = {name: [] for name in logs}
    (run,) = validation["runs"]
    for notification in _notifications(run):
        findings.setdefault("(tool)", []).append(notification)
    for result in run.get("results") or []:
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        name = uri.rsplit("/", 1)[-1]
        message = result["message"]
        text = message.get("text") or " / ".join(message.get("arguments") or [])
        # A result with no level is a warning (SARIF 2.1.0 §3.27.10).
        level = result.get("level", "warning")
        findings.setdefault(name, []).append(f"{level} {result['ruleId']}: {text}")
    return findings


def _notifications(run: Mapping[str, Any]) -> list[str]:
    notes = []
    for invocation in run.get("invocations") or []:
        for notification in invocation.get("toolExecutionNotifications") or []:
            if notification.get("level") == "error":
                notes.append(f"tool error: {notification['message'].get('text')}")
        for notification in invocation.get("toolConfigurationNotifications") or []:
            if notification.get("level") == "error":
                notes.append(f"configuration error: {notification['message'].get('text')}")
    return notes


ACCEPTED_NOTES = {
    "SARIF2002": "message arguments: our messages are whole sentences, not templates",
    "SARIF2003": "versionControlProvenance: the tool does not know the checkout's revision",
    "SARIF2006": "URIs reachable: the validator cannot reach the network here",
    "SARIF2009": "rule id convention: our ids are the invariant catalogue's, stable by design",
    "SARIF2010": "code snippets: a proposal's line is shown by the code-scanning view itself",
    "SARIF2011": "context regions: as for snippets",
    "SARIF2012": "helpUri: the tool's documentation has no public address",
    "SARIF2013": "embedded file contents: the input is in the repository",
}
"""The Multitool's advisory notes a log of ours may carry, and why; any other note, and every
warning and error, is a problem."""


def sarif_problems(
    logs: Mapping[str, str], *, also_accepted: Mapping[str, Mapping[str, str]] | None = None
) -> dict[str, list[str]]:
    """`sarif_findings` less the notes in `ACCEPTED_NOTES` (and, per log name, those in
    `also_accepted`): what must be empty for a log to count as valid."""
    problems = {}
    for name, findings in sarif_findings(logs).items():
        accepted = {**ACCEPTED_NOTES, **(also_accepted or {}).get(name, {})}
        problems[name] = [
            finding
            for finding in findings
            if not (finding.startswith("note ") and finding[5:].split(":")[0] in accepted)
        ]
    return problems
