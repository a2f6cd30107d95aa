"""Entry point of a node process: `python -I executor/node_main.py --cpu-seconds N --memory-bytes M`.

Isolated mode (-I) leaves the checkout off `sys.path`, so the launcher puts the project root back
before importing the node itself.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from executor.worker import main

if __name__ == "__main__":
    main()
