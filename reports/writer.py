"""Writing a report folder so that a reader never sees half of it.

The output folder is checked before any engine runs (a check that ends after a minute on an
unwritable folder wastes the minute). Every file is first written into a staging folder inside
the output folder, then moved into place by rename; the sub-folders of artifacts are swapped
whole, and `report.json` comes last, so a report on disk is always complete and consistent.
Files the user keeps in the folder that are not ours are left alone.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

ARTIFACT_FOLDERS = ("smt2", "traces", "regressions")
"""Sub-folders a report owns: replaced whole at every write, so no stale file survives."""

LAST = "report.json"
"""Written last: its presence means the folder holds a complete report."""


class OutputError(OSError):
    """Raised when the output folder cannot be created or written; the message is one line."""


def prepare_output(out: Path) -> Path:
    """Create `out` if needed and prove it is a writable folder, before any work is done."""
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: exists and is not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = tempfile.mkdtemp(prefix=".stratoverify-probe-", dir=out)
        os.rmdir(probe)
    except OSError as error:
        raise OutputError(
            f"{out}: cannot write the report here ({error.strerror or error})"
        ) from None
    return out


def write_report(out: Path, files: Mapping[str, str]) -> None:
    """Write `files` (path relative to `out` -> text) into `out`, each one whole or not at all."""
    for name in files:
        relative = Path(name)
        if relative.is_absolute() or ".." in relative.parts or len(relative.parts) > 2:
            raise ValueError(f"report file {name!r} is not a plain path inside the report")
        if len(relative.parts) == 2 and relative.parts[0] not in ARTIFACT_FOLDERS:
            raise ValueError(f"report file {name!r} is in no known artifact folder")
    staging = _make_staging(out)
    try:
        for name, text in files.items():
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        for folder in ARTIFACT_FOLDERS:
            _swap_folder(staging / folder, out / folder, staging)
        top_level = sorted(name for name in files if "/" not in name and name != LAST)
        for name in (*top_level, *([LAST] if LAST in files else [])):
            os.replace(staging / name, out / name)
    except OSError as error:
        raise OutputError(f"{out}: writing the report failed ({error.strerror or error})") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _make_staging(out: Path) -> Path:
    """A fresh folder inside `out` (checked writable first) where files are written before they
    are moved into place."""
    prepare_output(out)
    try:
        return Path(tempfile.mkdtemp(prefix=".stratoverify-staging-", dir=out))
    except OSError as error:
        raise OutputError(
            f"{out}: cannot write the report here ({error.strerror or error})"
        ) from None


def _swap_folder(new: Path, current: Path, staging: Path) -> None:
    # The old folder moves into staging (deleted with it) and the new one takes its place by
    # rename; a report with no file of this kind leaves no folder of this kind behind.
    if current.exists():
        os.replace(current, staging / f"old-{current.name}")
    if new.exists():
        os.replace(new, current)


def write_reports(
    out: Path,
    folder: str,
    reports: Mapping[str, Mapping[str, str]],
    files: Mapping[str, str],
    *,
    last: str,
) -> None:
    """Write several report folders under `out/folder/` (name -> that report's files), swapped
    in whole, then the top-level `files`, `last` of them last (a sweep: points/NNNN/ and
    sweep.json)."""
    for name in (folder, *reports, *files):
        if Path(name).is_absolute() or len(Path(name).parts) != 1 or name in ("..", "."):
            raise ValueError(f"report entry {name!r} is not a plain name")
    staging = _make_staging(out)
    try:
        for name, report in reports.items():
            write_report(staging / folder / name, report)
        _swap_folder(staging / folder, out / folder, staging)
        for name, text in files.items():
            (staging / name).write_text(text, encoding="utf-8")
        for name in (*sorted(name for name in files if name != last), last):
            os.replace(staging / name, out / name)
    except OSError as error:
        raise OutputError(f"{out}: writing the report failed ({error.strerror or error})") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
