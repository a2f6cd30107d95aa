"""The `stratoverify` console script: the command line, behind a guard that tells a broken install
apart from a verdict.

`reports.cli` imports the model, the parameters and its libraries before its `main` can map
errors to exit codes; if one of them is missing (a broken wheel, a half-finished install), that
import fails here, and the script exits 4 (the tool failed) with one line, never 1 (an invariant
fails), which a governance gate would read as a finding.

Run as the process's own command (no `argv` given: the console script), the objects alive once
everything is imported (the modules, their functions and tables) are moved out of the garbage
collector's reach with `gc.freeze`: they live as long as the process, and every full collection
during a check would walk them again (about 1.5% of the default check's machine time). A caller
that runs the command line inside a longer-lived process passes `argv` and keeps its collector
as it was. Once the command has run, what it made is frozen too, for the same reason: the
interpreter's last full collection at exit walked every object of the run again (0.6 s after a
quick check), only to free memory the operating system takes back at once.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Sequence

EXIT_INTERNAL = 4


def main(argv: Sequence[str] | None = None) -> int:
    """Import the command line and run it; exit 4 with one line if it cannot be imported."""
    try:
        from reports.cli import main as run  # noqa: PLC0415 - guarded on purpose
    except Exception as error:  # whatever broke the install, it is said in one line
        sys.stderr.write(
            f"stratoverify: internal error: the tool cannot start ({type(error).__name__}: "
            f"{error}); the installation is broken, reinstall it (exit {EXIT_INTERNAL})\n"
        )
        return EXIT_INTERNAL
    if argv is None:
        gc.freeze()
    code = run(argv)
    if argv is None:
        # What the run made also lives until the process ends: frozen, it is left to the
        # operating system instead of walked by the interpreter's last full collection.
        gc.freeze()
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
