"""report.html in a real browser: headless Chromium lays the failing sample out and we measure it.

A copy of the page gets a probe script (the report itself runs none, and its policy forbids
them) that writes, into the page, where the first failing ID sits, what is drawn there, and which
invariant IDs the layout broke over two lines; `--dump-dom` hands that back. A screenshot of the
unmodified page shows it is not blank. The test fails, never skips, without Chromium: it is
Debian's package `chromium`.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import matplotlib.image
import numpy as np
import pytest
from report_samples import failing_document

from reports.html import render_html

CHROMIUM = "chromium"
FIRST_SCREEN = (1280, 800)
PHONE = (400, 800)
"""Narrower than Chromium lays a headless page out (it keeps 500 px), so as narrow as it goes."""
FAILING_ID = "SLASH-BOUNDS"
"""The first failing invariant of the sample: the top of the page must show it."""

PROBE = """
<script>
(() => {
  const ids = [...document.querySelectorAll("code.id")];
  const first = ids.find((element) => element.textContent === %(id)s);
  const box = first.getBoundingClientRect();
  const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
  const result = {
    top: box.top,
    bottom: box.bottom,
    width: box.width,
    drawn: hit !== null && (hit === first || first.contains(hit)),
    ids: ids.length,
    broken: ids.filter((element) => element.getClientRects().length > 1)
      .map((element) => element.textContent),
    viewport: [window.innerWidth, window.innerHeight],
  };
  const out = document.createElement("pre");
  out.id = "probe-result";
  out.textContent = JSON.stringify(result);
  document.body.appendChild(out);
})();
</script>
"""


def chromium() -> str:
    path = shutil.which(CHROMIUM)
    if path is None:
        pytest.fail(
            "Chromium is not installed: install Debian's package `chromium` "
            "(apt-get install -y chromium) to run the browser test of report.html"
        )
    return path


def run_chromium(url: str, window: tuple[int, int], profile: Path, *extra: str) -> str:
    command = [
        chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        f"--window-size={window[0]},{window[1]}",
        *extra,
        url,
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def probe(page: str, tmp_path: Path, window: tuple[int, int], *, style: str = "") -> Any:
    """Lay `page` out at `window` with the probe script, and read back what it measured."""
    # The copy allows inline script (for the probe) where the report allows none.
    probed = page.replace(
        "default-src 'none'; style-src 'unsafe-inline'",
        "script-src 'unsafe-inline'; style-src 'unsafe-inline'",
    )
    assert probed != page
    probed = probed.replace("</body>", PROBE % {"id": json.dumps(FAILING_ID)} + "</body>")
    if style:
        probed = probed.replace("</head>", f"<style>{style}</style></head>")
    path = tmp_path / f"probe-{window[0]}x{window[1]}{'-styled' if style else ''}.html"
    path.write_text(probed, "utf-8")
    dom = run_chromium(
        path.as_uri(), window, tmp_path / "profile", "--virtual-time-budget=5000", "--dump-dom"
    )
    found = re.search(r'<pre id="probe-result">(.*?)</pre>', dom, re.DOTALL)
    assert found is not None, dom[-2000:]
    return json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))


@pytest.fixture(scope="module")
def page() -> str:
    return render_html(failing_document())


def test_page_is_drawn_and_not_blank(page: str, tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    path.write_text(page, "utf-8")
    shot = tmp_path / "report.png"
    run_chromium(path.as_uri(), FIRST_SCREEN, tmp_path / "profile", f"--screenshot={shot}")
    pixels = matplotlib.image.imread(shot)
    assert pixels.shape[:2] == (FIRST_SCREEN[1], FIRST_SCREEN[0])
    colours = np.unique(pixels.reshape(-1, pixels.shape[2]), axis=0)
    assert len(colours) > 50, f"the first screen has {len(colours)} colours: blank"
    # Text in the top half, not only somewhere: rows of the first screen that are not uniform.
    top = pixels[: FIRST_SCREEN[1] // 2]
    varied_rows = int((top.std(axis=(1, 2)) > 0.01).sum())
    assert varied_rows > 100, varied_rows


def test_failing_id_is_on_the_first_screen(page: str, tmp_path: Path) -> None:
    result = probe(page, tmp_path, FIRST_SCREEN)
    width, height = result["viewport"]
    assert width == FIRST_SCREEN[0] and height <= FIRST_SCREEN[1]
    assert result["top"] >= 0 and result["bottom"] <= height, result
    assert result["width"] > 0 and result["drawn"], result


def test_ids_are_never_broken_across_lines(page: str, tmp_path: Path) -> None:
    """On a phone-wide window every ID stays whole; the same page with the ID style undone
    breaks some, so the probe sees breaks where there are any."""
    result = probe(page, tmp_path, PHONE)
    assert result["viewport"][0] <= 500
    assert result["ids"] > 10
    assert result["broken"] == [], result
    undone = probe(
        page,
        tmp_path,
        PHONE,
        style="code.id { white-space: normal !important; overflow-wrap: anywhere !important; }",
    )
    assert undone["broken"], undone
