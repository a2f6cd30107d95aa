"""The `stratoverify` console script: the command line, behind a guard that tells a broken install
apart from a verdict.

`reports.cli` imports the model, the parameters and its libraries before its `main` can map
errors to exit codes; if one of them is missing (a broken wheel, a half-finished install), that
import fails here, and the script exits 4 (the tool failed) with one line, never 1 (an invariant
fails), which a governance gate would read as a finding.
"""

from __future__ import annotations

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
    return run(argv)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
