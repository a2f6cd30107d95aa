"""Entry point of a node process: `python -I -S executor/node_main.py --sandbox MODE --limits JSON`.

Isolated mode (-I) leaves the checkout off `sys.path`, so the launcher puts the project root back
before importing the node itself.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# Started with -S (site's .pth files cost more than the node's own imports): the executor names
# its package folders instead.
sys.path[1:1] = [p for p in os.environ.get("STRATOVERIFY_NODE_PATH", "").split(os.pathsep) if p]
# (the name is executor.sandbox.launch.SITE_VARIABLE, not imported: the path is not set yet)

from executor.worker import main  # noqa: E402 - after the path is set

if __name__ == "__main__":
    main()
