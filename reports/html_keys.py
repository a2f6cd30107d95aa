"""report.html's changed keys: per key the constitution's process and range, and its safe set.

Each key a proposal changes shows whether the value fits the profile's constitution, a bar of
its exact safe values (drawn by `reports.plots`), the evidence at each end of a safe interval,
and the repairs that keep every proved invariant (docs/report-format.md, `keys`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from reports.html_markup import anchor as _anchor
from reports.html_markup import invariant_id as _id
from reports.html_markup import text as _text
from reports.plots import render_key_bar_svg


def _intervals(items: Sequence[Mapping[str, Any]]) -> str:
    shown = [
        _text(item.get("low"))
        if item.get("low") == item.get("high")
        else f"{_text(item.get('low'))}..{_text(item.get('high'))}"
        for item in items
    ]
    return ", ".join(shown) or "none"


def _end(end: Mapping[str, Any]) -> str:
    if end.get("neighbour") is None:
        return f"{_text(end.get('value'))} PROVED; the domain ends there"
    if end.get("refuted_by") is None:
        return f"{_text(end.get('value'))} PROVED; {_text(end.get('neighbour'))} undecided"
    return (
        f"{_text(end.get('value'))} PROVED; {_text(end.get('neighbour'))} REFUTED by "
        f"{_id(end.get('refuted_by'))}"
    )


def _render_key(key: Mapping[str, Any]) -> str:
    row: Mapping[str, Any] = key.get("constitution", {})
    region: Mapping[str, Any] = key.get("region", {})
    fits = row.get("fits")
    verdict = "fits" if fits else "does not fit"
    problems = "; ".join(_text(problem) for problem in row.get("problems") or [])
    process = (
        "an amendment"
        if row.get("process") == "amendment"
        else f"a parameter change by {_text(row.get('vote'))}"
    )
    bounds = (
        f"fixed value {_text(row.get('minimum'))}"
        if row.get("minimum") == row.get("maximum")
        else f"range {_text(row.get('minimum'))}..{_text(row.get('maximum'))}"
    )
    parts = [
        f'<article class="key" id="{_anchor("key", key.get("parameter"))}">',
        f"<h3><code>{_text(key.get('parameter'))}</code> = {_text(key.get('value'))} "
        f"(was {_text(key.get('base'))})</h3>",
        f"<p>Needs {process}, {bounds} "
        f"(§{_text(row.get('section'))}, {_text(row.get('constitution'))} constitution): "
        f'<span class="verdict {"ok" if fits else "bad"}">{verdict}</span>'
        + (f" {problems}" if problems else "")
        + "</p>",
    ]
    if not region.get("computed"):
        parts.append(f"<p>Safe set not computed: {_text(region.get('reason'))}</p>")
    else:
        bar_region = {
            **region,
            "key": key.get("parameter"),
            "value": key.get("value"),
            "range": {"low": row.get("minimum"), "high": row.get("maximum")},
        }
        # The bar is drawn by this package from the document's integers; no text of it is raw.
        parts.append(
            "<figure>\n"
            + render_key_bar_svg(bar_region, bar_id=_anchor("bar", key.get("parameter")))
            + "<figcaption>The domain, its safe values shaded green (undecided amber), the "
            "proposed value marked red, the constitution's range as the dark line under the bar."
            "</figcaption>\n</figure>"
        )
        parts.append(f"<p>{_text(key.get('message'))}</p>")
        items = [
            f"<li>safe {_intervals([item])}: low end {_end(item['ends'][0])}; high end "
            f"{_end(item['ends'][1])}</li>"
            for item in region.get("safe") or []
        ]
        if region.get("unknown"):
            items.append(f"<li>undecided (never safe): {_intervals(region['unknown'])}</li>")
        items += [
            f"<li>repair: <code>{_text(repair.get('parameter'))}</code> "
            f"{'=' if repair.get('low') == repair.get('high') else 'in'} "
            f"{_intervals([repair])} with it keeps every proved invariant</li>"
            for repair in key.get("repairs") or []
        ]
        if items:
            parts.append("<ul>" + "".join(items) + "</ul>")
    parts.append("</article>")
    return "\n".join(parts)


def render_keys(document: Mapping[str, Any]) -> str:
    """The changed keys section, or nothing when the input changes no key."""
    keys: Sequence[Mapping[str, Any]] = document.get("keys") or []
    if not keys:
        return ""
    parts = [
        '<section id="keys">',
        "<h2>Changed keys</h2>",
        "<p>For each key the input changes: the process the profile's constitution asks for "
        "(docs/constitution.md), whether the value fits it, and the exact values of the key that "
        "keep every Z3-proved invariant with the other keys as proposed.</p>",
        *(_render_key(key) for key in keys),
    ]
    if document.get("keys_note"):
        parts.append(f"<p><em>{_text(document['keys_note'])}</em></p>")
    parts.append("</section>")
    return "\n".join(parts)
