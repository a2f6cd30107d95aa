"""Tests of reports.html and reports.plots: the self-contained report page and its three plots.

The page is read back with `html.parser`, so the tests check what a browser would see (figures,
table rows, links, escaped text) rather than substrings; the plots' data functions are checked
against the model's exact numbers and against the whitepaper's own examples.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import html5lib
import pytest
from attrs import define, field
from counterexample_samples import SIX_SLASHES, make_machine_counterexample
from report_samples import failing_document, passing_document

from model.params import WHITEPAPER_PARAMS, with_values
from model.profile import HARDENED, WHITEPAPER
from model.slashing import SlashingState, process_slash_offender
from model.units import MICRO, Rejected
from reports.html import render_html
from reports.plots import (
    GENESIS_SUPPLY_USTR,
    Plot,
    PlotError,
    SlashEvent,
    format_bps,
    format_usd,
    get_yearly_burn_bps,
    payment_split_rows,
    render_plots,
    slash_schedule_points,
    supply_projection_points,
)
from reports.traces import machine_trace

HOSTILE = "<script>alert(1)</script>"
PLOT_IDS = ["plot-payment-split", "plot-slash-schedule", "plot-supply"]
MARKET_PLOT_IDS = ["plot-burn-depth", "plot-node-pay"]
# Elements that make a browser fetch or run something.
FETCHING_TAGS = {"script", "link", "img", "iframe", "object", "embed", "audio", "video", "source"}


@define
class Cell:
    text: str = ""
    badges: list[str] = field(factory=list)
    hrefs: list[str] = field(factory=list)


@define
class Table:
    section: str
    rows: list[list[Cell]] = field(factory=list)


@define
class FigureElement:
    id: str
    svgs: int = 0
    caption: str = ""


class Page(HTMLParser):
    """Collects the parts of the report page the tests look at."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.style = ""
        self.tables: list[Table] = []
        self.figures: list[FigureElement] = []
        self._section = ""
        self._table: Table | None = None
        self._cell: Cell | None = None
        self._badge: list[str] | None = None
        self._figure: FigureElement | None = None
        self._in_caption = False
        self._in_style = False
        self._svg_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "section" and attributes.get("id"):
            self._section = attributes["id"] or ""
        elif tag == "style":
            self._in_style = True
        elif tag == "table":
            self._table = Table(section=self._section)
            self.tables.append(self._table)
        elif tag == "tr" and self._table is not None:
            self._table.rows.append([])
        elif tag in ("td", "th") and self._table is not None:
            self._cell = Cell()
            self._table.rows[-1].append(self._cell)
        elif tag == "span" and "verdict" in (attributes.get("class") or "").split():
            self._badge = []
        elif tag == "a" and self._cell is not None:
            self._cell.hrefs.append(attributes.get("href") or "")
        elif tag == "figure":
            self._figure = FigureElement(id=attributes.get("id") or "")
            self.figures.append(self._figure)
        elif tag == "svg" and self._figure is not None:
            self._figure.svgs += 1
            self._svg_depth += 1
        elif tag == "figcaption":
            self._in_caption = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False
        elif tag in ("td", "th"):
            self._cell = None
        elif tag == "table":
            self._table = None
        elif tag == "span" and self._badge is not None:
            if self._cell is not None:
                self._cell.badges.append("".join(self._badge).strip())
            self._badge = None
        elif tag == "svg":
            self._svg_depth -= 1
        elif tag == "figcaption":
            self._in_caption = False
        elif tag == "figure":
            self._figure = None

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.style += data
            return
        if self._svg_depth:
            return
        self.text.append(data)
        if self._cell is not None:
            self._cell.text += data
        if self._badge is not None:
            self._badge.append(data)
        if self._in_caption and self._figure is not None:
            self._figure.caption += data

    def table_in(self, section: str) -> Table:
        (table,) = [table for table in self.tables if table.section == section]
        return table


def parse(page: str) -> Page:
    parser = Page()
    parser.feed(page)
    parser.close()
    return parser


@pytest.fixture(scope="module")
def failing_page() -> str:
    return render_html(failing_document())


@pytest.fixture(scope="module")
def passing_page() -> str:
    return render_html(passing_document())


@pytest.fixture(scope="module")
def failing_plots() -> tuple[Plot, ...]:
    return render_plots(failing_document())


@pytest.fixture(scope="module")
def passing_plots() -> tuple[Plot, ...]:
    return render_plots(passing_document())


def hostile_document() -> dict[str, Any]:
    """The failing sample with attacker-chosen text in every kind of field the page shows."""
    document = failing_document()
    document["inputs"]["source"] = HOSTILE
    document["inputs"]["changes"][0]["parameter"] = HOSTILE
    document["versions"]["z3"] = HOSTILE
    invariant = document["invariants"][1]
    invariant["statement"] = HOSTILE
    invariant["id"] = 'SLASH" onmouseover="alert(1)'
    invariant["engines"]["z3"]["claim"] = HOSTILE
    example = invariant["counterexamples"][0]
    example["detail"] = HOSTILE
    example["steps"] = [HOSTILE]
    example["trace"] = "javascript:alert(1)"
    example["regression"] = "https://evil.example/x.py"
    invariant["counterexamples"][1]["values"] = {HOSTILE: HOSTILE}
    invariant["engines"]["z3"]["smt2"] = "../../etc/passwd"
    return document


# --- The page ------------------------------------------------------------------------------------


def test_five_figures_each_holding_one_svg(failing_page: str) -> None:
    """The three parameter plots, then the two market plots (`reports.market_plots`)."""
    page = parse(failing_page)
    assert [figure.id for figure in page.figures] == [*PLOT_IDS, *MARKET_PLOT_IDS]
    for figure in page.figures:
        assert figure.svgs == 1
        assert figure.caption.strip()


def test_headline_verdict_and_exit_code(failing_page: str, passing_page: str) -> None:
    for page_text, verdict, code in ((failing_page, "fail", "1"), (passing_page, "pass", "0")):
        page = parse(page_text)
        headline = [attrs for tag, attrs in page.tags if "headline" in (attrs.get("class") or "")]
        assert len(headline) == 1
        text = " ".join("".join(page.text).split())
        assert f"Verdict: {verdict} · exit code {code}" in text


def burn_key(breaks: list[str]) -> dict[str, Any]:
    """A changed key as report.json's `keys` holds it: 1200 breaks `breaks`, only 1000 is safe."""
    ends = [
        {"value": 1000, "neighbour": 999, "refuted_by": breaks[0]},
        {"value": 1000, "neighbour": 1001, "refuted_by": breaks[0]},
    ]
    return {
        "parameter": "payment.str_burn_bps",
        "base": 1000,
        "value": 1200,
        "line": 5,
        "constitution": {
            "constitution": "whitepaper",
            "process": "parameter-change",
            "vote": "x/gov supermajority",
            "minimum": 0,
            "maximum": 10000,
            "section": "6.4, 6.8",
            "reason": "a share of T",
            "fits": True,
            "problems": [],
        },
        "region": {
            "computed": True,
            "key": "payment.str_burn_bps",
            "value": 1200,
            "domain": {"low": 0, "high": 10000},
            "safe": [{"low": 1000, "high": 1000, "ends": ends}],
            "value_is_safe": False,
            "breaks": breaks,
            "unknown": [],
        },
        "repairs": [{"parameter": "payment.str_node_profit_bps", "low": 1800, "high": 1800}],
        "repairs_note": "",
        "message": "payment.str_burn_bps = 1200 breaks " + ", ".join(breaks),
    }


def header_items(page_text: str) -> list[str]:
    """The text of each item of the failure list at the top of the page."""
    header = page_text.split('<header id="verdict">', 1)[1].split("</header>", 1)[0]
    failures = header.split('<ul class="failures">', 1)[1].split("</ul>", 1)[0]
    items = re.findall(r"<li>(.*?)</li>", failures, re.DOTALL)
    return [" ".join(" ".join(parse(item).text).split()) for item in items]


def test_failures_first__one_line_each_before_any_section(failing_page: str) -> None:
    page = parse(failing_page)
    links = [
        attrs.get("href")
        for tag, attrs in page.tags
        if tag == "a" and (attrs.get("href") or "").startswith("#")
    ]
    # The first links of the page are the failure lines: each fails, then each inconclusive.
    assert links[:3] == ["#cx-SLASH-BOUNDS", "#cx-CR-BINDING", "#inv-GOV-SUBCOMMITTEE"]
    assert failing_page.index('id="failures"') < failing_page.index('<section id="inputs">')
    items = header_items(failing_page)
    assert items == [
        "SLASH-BOUNDS fail base <= rate <= 100% for every slash sequence refuted by hypothesis, z3",
        "CR-BINDING fail a reveal that does not match its commit is slashed and unpaid "
        "refuted by executor",
        "GOV-SUBCOMMITTEE inconclusive active iff > 1% of STR delegated; each unit in at most one "
        "undecided by hypothesis vacuous: no step or round state gave this invariant "
        "anything to check",
    ]
    assert "2 invariants fail, 1 inconclusive" in "".join(page.text)


def test_failures_first__the_changed_key_and_its_safe_set() -> None:
    document = failing_document()
    document["keys"] = [burn_key(["SLASH-BOUNDS"])]
    items = header_items(render_html(document))
    assert items[0].endswith("payment.str_burn_bps = 1200 breaks it; safe values: 1000")
    assert "payment.str_burn_bps" not in items[1]


def test_passing_page_says_so_at_the_top(passing_page: str) -> None:
    header = passing_page.split('<header id="verdict">', 1)[1].split("</header>", 1)[0]
    text = " ".join("".join(parse(header).text).split())
    assert "Verdict: pass · exit code 0 · 3 invariants checked: 3 pass" in text
    assert "Every invariant checked holds; no engine found a counterexample." in text
    assert "fail" not in text


def test_contents_links_every_section_and_failing_invariant(failing_page: str) -> None:
    page = parse(failing_page)
    ids = {attrs["id"] for _, attrs in page.tags if attrs.get("id")}
    nav = failing_page.split('<nav id="contents"', 1)[1].split("</nav>", 1)[0]
    hrefs = [attrs.get("href") or "" for tag, attrs in parse(nav).tags if tag == "a"]
    assert hrefs == [
        "#failures",
        "#cx-SLASH-BOUNDS",
        "#cx-CR-BINDING",
        "#inv-GOV-SUBCOMMITTEE",
        "#inputs",
        "#changes",
        "#invariants",
        "#counterexamples",
        "#plots",
    ]
    assert {href[1:] for href in hrefs} <= ids
    document = failing_document()
    document["keys"] = [burn_key(["SLASH-BOUNDS"])]
    assert '<li><a href="#keys">Changed keys</a></li>' in render_html(document)


def test_invariant_ids_never_break_mid_word(failing_page: str) -> None:
    """Every invariant ID on the page is in a `code.id`, which the style keeps on one line."""
    page = parse(failing_page)
    rule = re.search(r"code\.id \{([^}]*)\}", page.style)
    assert rule is not None and "white-space: nowrap" in rule.group(1)
    assert "overflow-wrap: normal" in rule.group(1)
    ids = [row["id"] for row in failing_document()["invariants"]]
    spans = re.findall(r'<code class="id"(?: id="[^"]*")?>([^<]*)</code>', failing_page)
    assert set(spans) == set(ids)
    # Outside those elements an ID appears only inside longer text (a statement, a detail).
    bare = re.sub(r'<code class="id"[^>]*>[^<]*</code>', "", failing_page)
    for invariant in ids:
        for match in re.finditer(re.escape(invariant), bare):
            before = bare[max(0, match.start() - 40) : match.start()]
            assert "<td>" not in before[-5:] and "<h3>" not in before[-5:], invariant


@pytest.mark.parametrize(
    ("make", "page_fixture"),
    [(failing_document, "failing_page"), (passing_document, "passing_page")],
)
def test_every_invariant_appears_with_its_verdicts(
    make: Any, page_fixture: str, request: pytest.FixtureRequest
) -> None:
    """Each invariant's row shows its verdict, then each engine's verdict in that engine's column."""
    document = make()
    table = parse(request.getfixturevalue(page_fixture)).table_in("invariants")
    headers = [cell.text for cell in table.rows[0]]
    assert headers[:4] == ["ID", "§", "statement", "verdict"]
    rows = {row[0].text: row for row in table.rows[1:]}
    assert list(rows) == [invariant["id"] for invariant in document["invariants"]]
    for invariant in document["invariants"]:
        row = rows[invariant["id"]]
        assert row[1].text == invariant["section"]
        assert row[2].text == invariant["statement"]
        assert row[3].badges == [invariant["verdict"]]
        for engine, record in invariant["engines"].items():
            assert row[headers.index(engine)].badges == [record["verdict"]]


def test_engine_evidence_is_shown(failing_page: str) -> None:
    table = parse(failing_page).table_in("invariants")
    headers = [cell.text for cell in table.rows[0]]
    rows = {row[0].text: row for row in table.rows[1:]}
    hypothesis = rows["SLASH-BOUNDS"][headers.index("hypothesis")].text
    assert "90 examples, 400 steps, 3 violations" in hypothesis
    z3 = rows["CONS-SPLIT"][headers.index("z3")]
    assert "z3 4.13.0, QF_LIA" in z3.text
    assert z3.hrefs == ["smt2/CONS-SPLIT.smt2"]
    executor = rows["CR-BINDING"][headers.index("executor")].text
    assert "120 scenarios, 240 observations, 2 violations" in executor
    assert rows["CR-BINDING"][headers.index("z3")].text == "not checked"
    # The verdict cell of a failed invariant links to its counterexamples on the page.
    assert rows["SLASH-BOUNDS"][3].hrefs == ["#cx-SLASH-BOUNDS"]


def test_changes_table(failing_page: str, passing_page: str) -> None:
    table = parse(failing_page).table_in("changes")
    cells = [[cell.text for cell in row] for row in table.rows]
    assert cells == [
        ["parameter", "base", "value", "line"],
        ["payment.str_burn_bps", "1000", "1200", "5"],
        ["payment.str_node_profit_bps", "2000", "1800", "6"],
    ]
    assert "No parameter differs from the base." in "".join(parse(passing_page).text)


def rows_of(table: Table) -> list[list[str]]:
    return [[cell.text for cell in row] for row in table.rows]


def test_counterexamples_show_steps_values_and_artifact_links(failing_page: str) -> None:
    page = parse(failing_page)
    text = "".join(page.text)
    assert "the sixth slash asked 16000 bps, above 10000" in text
    # No Python repr block: the steps are a table of rule and arguments.
    assert not [tag for tag, _ in page.tags if tag == "pre"]
    hrefs = [attrs.get("href") for tag, attrs in page.tags if tag == "a"]
    document = failing_document()
    for invariant in document["invariants"]:
        for example in invariant["counterexamples"]:
            assert example["trace"] in hrefs
            assert example["regression"] in hrefs
    slash = [rows_of(t) for t in page.tables if t.section == "cx-SLASH-BOUNDS"]
    parameters, steps, state, inputs = slash
    assert parameters == [
        ["parameter", "checked", "base"],
        ["slashing.slash_base_bps", "500", "500"],
        ["slashing.slash_factor", "2", "2"],
        ["slashing.slash_cap_bps", "10000", "10000"],
    ]
    assert steps == [
        ["#", "rule", "arguments"],
        ["0", "Genesis", "validators=('v0',)"],
        *([str(index), "SlashValidator", "validator='v0'"] for index in range(1, 7)),
    ]
    # The solver's constants, grouped: the stake is chain state, the slash count an input.
    assert state == [["name", "value"], ["stake", "1"]]
    assert inputs == [["name", "value"], ["slashes", "6"]]
    headings = [t for t in text.split("\n") if t.startswith("Solver values")]
    assert headings == ["Solver values: state", "Solver values: inputs"]
    (parameters, executor) = [rows_of(t) for t in page.tables if t.section == "cx-CR-BINDING"]
    assert parameters[1:] == [
        ["consensus.threshold_num", "2", "2"],
        ["consensus.threshold_den", "3", "3"],
    ]
    assert executor[1:] == [
        ["0", "billing", "compute(7): n0 honest"],
        ["1", "main", "compute(9): n0 honest, n1 reveal-mismatch"],
    ]


def test_counterexample_steps_show_the_state_the_invariant_reads() -> None:
    """Given the ITF trace, the machine's steps carry the slash level and rate after each step,
    and mark the step where SLASH-BOUNDS broke."""
    document = failing_document()
    counterexample = make_machine_counterexample("SLASH-BOUNDS", SIX_SLASHES)
    example = document["invariants"][1]["counterexamples"][0]
    example["steps"] = list(counterexample.steps)
    trace = machine_trace(counterexample, params=WHITEPAPER_PARAMS, profile=WHITEPAPER)
    page = parse(render_html(document, traces={example["trace"]: trace}))
    steps = rows_of([t for t in page.tables if t.section == "cx-SLASH-BOUNDS"][1])
    headers = steps[0]
    assert headers[:3] == ["#", "rule", "arguments"]
    assert headers[-1] == "SLASH-BOUNDS broken"
    rate = headers.index("SlashEffect.rate_bps")
    level = headers.index("slashing.records[validator:v0].level")
    assert [row[rate] for row in steps[1:]] == ["", "500", "1000", "2000", "4000", "8000", "16000"]
    assert [row[level] for row in steps[1:]] == ["", "1", "2", "3", "4", "5", "6"]
    broken = [row[-1] for row in steps[1:]]
    assert broken[:-1] == [""] * 6 and "16000" in broken[-1]
    assert [row[1] for row in steps[1:]] == ["Genesis", *["SlashValidator"] * 6]


def test_passing_page_has_no_counterexample(passing_page: str) -> None:
    page = parse(passing_page)
    assert not [attrs for tag, attrs in page.tags if tag == "article"]
    assert "No engine found a counterexample." in "".join(page.text)


def test_no_script_and_no_external_resource(failing_page: str) -> None:
    page = parse(failing_page)
    assert not [tag for tag, _ in page.tags if tag in FETCHING_TAGS]
    for tag, attrs in page.tags:
        assert not [name for name in attrs if name.startswith("on")], tag
        for name in ("href", "src", "xlink:href", "action", "srcset"):
            value = attrs.get(name)
            if value is None:
                continue
            # Only in-page fragments and plain relative paths to the report's own files.
            assert ":" not in value and not value.startswith(("/", "\\")), (tag, value)
            assert ".." not in value.split("/"), (tag, value)
    assert "@import" not in page.style and "url(" not in page.style
    meta = [attrs for tag, attrs in page.tags if tag == "meta" and attrs.get("http-equiv")]
    assert meta and "default-src 'none'" in (meta[0].get("content") or "")


def test_hostile_strings_are_escaped() -> None:
    page_text = render_html(hostile_document())
    assert HOSTILE not in page_text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page_text
    page = parse(page_text)
    assert not [tag for tag, _ in page.tags if tag in FETCHING_TAGS]
    assert not [attrs for _, attrs in page.tags if "onmouseover" in attrs]
    # The hostile text is shown as text, where it was put.
    assert "".join(page.text).count(HOSTILE) >= 8
    assert 'SLASH" onmouseover="alert(1)' in [
        row[0].text for row in page.table_in("invariants").rows
    ]
    # Paths that are not plain relative paths are shown but never linked.
    hrefs = [attrs.get("href") or "" for tag, attrs in page.tags if tag == "a"]
    assert not [href for href in hrefs if "javascript" in href or "evil" in href]
    assert not [href for href in hrefs if "passwd" in href]
    assert "javascript:alert(1)" in "".join(page.text)


def test_every_element_id_is_unique(failing_page: str) -> None:
    ids = [attrs["id"] for _, attrs in parse(failing_page).tags if attrs.get("id")]
    assert len(ids) == len(set(ids))


def test_render_is_deterministic(failing_page: str) -> None:
    assert render_html(failing_document()) == failing_page


def test_timings_do_not_change_the_page(failing_page: str) -> None:
    document = failing_document()
    document["timings"] = {"hypothesis": 99.9, "z3": 1.0, "executor": 0.1, "total": 101.0}
    assert render_html(document) == failing_page


def test_content_hash_is_shown(failing_page: str) -> None:
    assert f"Content sha256: {'04' * 32}" in "".join(parse(failing_page).text)


# --- The plots -----------------------------------------------------------------------------------


def test_render_plots_ids_and_svg_shape(failing_plots: tuple[Plot, ...]) -> None:
    assert [plot.id for plot in failing_plots] == PLOT_IDS
    for plot in failing_plots:
        assert plot.svg.startswith("<svg")
        assert plot.svg.rstrip().endswith("</svg>")
        # No XML prolog and no date or creator metadata: the bytes depend on the data only.
        assert "<?xml" not in plot.svg and "<!DOCTYPE" not in plot.svg
        assert "<metadata" not in plot.svg and "matplotlib.org" not in plot.svg
        assert "<script" not in plot.svg
        assert f'id="{plot.id}-' in plot.svg


def test_page_embeds_the_plots_byte_for_byte(
    failing_page: str, failing_plots: tuple[Plot, ...]
) -> None:
    """Plots rendered apart from the page (other figures, same document) give the same bytes."""
    for plot in failing_plots:
        assert f'<figure id="{plot.id}">\n{plot.svg}<figcaption>' in failing_page


def test_payment_split_rows__whitepaper_golden_vector() -> None:
    """§6.3.3: $100 of cost -> 120 STB (100 + 10 node, 10 reserve) and $80 of STR (40/20/20)."""
    assert payment_split_rows(WHITEPAPER_PARAMS) == (
        ("cost basis (STB)", 100 * MICRO),
        ("node profit (STB)", 10 * MICRO),
        ("reserve swap (STB)", 10 * MICRO),
        ("node profit (STR)", 40 * MICRO),
        ("burn (STR)", 20 * MICRO),
        ("network support (STR)", 20 * MICRO),
    )


def test_payment_split_rows__checked_proposal() -> None:
    checked = with_values(
        WHITEPAPER_PARAMS,
        {("payment", "str_burn_bps"): 1200, ("payment", "str_node_profit_bps"): 1800},
    )
    rows = dict(payment_split_rows(checked))
    assert rows["burn (STR)"] == 24 * MICRO
    assert rows["node profit (STR)"] == 36 * MICRO
    assert sum(rows.values()) == 200 * MICRO


def test_slash_schedule__whitepaper_passes_100_percent() -> None:
    points = slash_schedule_points(WHITEPAPER_PARAMS, WHITEPAPER)
    assert [point.label for point in points] == [
        *(f"S{k}" for k in range(1, 8)),
        "W1",
        "W2",
        "W3",
        "S8",
        "S9",
    ]
    assert [point.level for point in points] == [0, 1, 2, 3, 4, 5, 6, 6, 5, 4, 4, 5]
    assert [point.rate_bps for point in points[:7]] == [500, 1000, 2000, 4000, 8000, 16000, 32000]
    assert points[5].rate_bps == 16_000


def test_slash_schedule__hardened_caps_at_100_percent() -> None:
    points = slash_schedule_points(WHITEPAPER_PARAMS, HARDENED)
    assert points[5].rate_bps == 10_000
    assert max(point.rate_bps for point in points) == 10_000
    assert [point.rate_bps for point in points[-2:]] == [8_000, 10_000]


@pytest.mark.parametrize("profile", [HARDENED, WHITEPAPER])
def test_slash_schedule__agrees_with_the_slashing_rule(profile: Any) -> None:
    """The plot's slash rates are those `process_slash_offender` charges on a real clock."""
    window = WHITEPAPER_PARAMS.slashing.slash_window_seconds
    state, now, charged = SlashingState(), 0, []
    for event in (point.event for point in slash_schedule_points(WHITEPAPER_PARAMS, profile)):
        if event is SlashEvent.WINDOW_EXPIRED:
            now += window
            continue
        result = process_slash_offender(
            state, offender="v0", now=now, params=WHITEPAPER_PARAMS, profile=profile
        )
        assert not isinstance(result, Rejected)
        state, rate = result
        charged.append(rate)
    plotted = slash_schedule_points(WHITEPAPER_PARAMS, profile)
    assert charged == [p.rate_bps for p in plotted if p.event is SlashEvent.SLASH]


def test_supply_projection__genesis_and_first_year() -> None:
    points = supply_projection_points(WHITEPAPER_PARAMS)
    supply = GENESIS_SUPPLY_USTR
    assert len(points) == 11
    assert points[0] == supply
    # 11% inflation in year 0, and 10% of supply spent with §6.4's 15% burned = 1.5% of supply.
    assert get_yearly_burn_bps(WHITEPAPER_PARAMS) == 150
    assert points[1] == supply + supply * 1_100 // 10_000 - supply * 150 // 10_000
    assert points[2] == points[1] + points[1] * 1_000 // 10_000 - points[1] * 150 // 10_000


def test_supply_projection__a_larger_burn_lowers_supply() -> None:
    checked = with_values(
        WHITEPAPER_PARAMS,
        {("payment", "str_burn_bps"): 1200, ("payment", "str_node_profit_bps"): 1800},
    )
    assert get_yearly_burn_bps(checked) == 170
    base, more_burn = supply_projection_points(WHITEPAPER_PARAMS), supply_projection_points(checked)
    assert more_burn[0] == base[0]
    assert all(low < high for low, high in zip(more_burn[1:], base[1:], strict=True))


def test_captions_state_the_assumptions(
    failing_plots: tuple[Plot, ...], passing_plots: tuple[Plot, ...]
) -> None:
    plots = {plot.id: plot for plot in failing_plots}
    supply = plots["plot-supply"].caption
    assert "1,000,000,000 STR is assumed" in supply
    assert "10% of the supply is spent" in supply
    assert "1.5% of supply a year" in supply and "= 1.7%" in supply
    assert "passes 100%" in plots["plot-slash-schedule"].caption
    hardened = {plot.id: plot for plot in passing_plots}["plot-slash-schedule"]
    assert "passes 100%" not in hardened.caption
    assert "cap 100%; peak 100%" in hardened.caption


def test_exact_formatting() -> None:
    assert format_usd(100 * MICRO) == "$100"
    assert format_usd(12_500_000) == "$12.5"
    assert format_usd(-1) == "-$0.000001"
    assert format_bps(1_500) == "15%"
    assert format_bps(150) == "1.5%"
    assert format_bps(16_000) == "160%"


def test_unknown_profile_is_refused() -> None:
    document = failing_document()
    document["inputs"]["profile"] = "lenient"
    with pytest.raises(PlotError, match=r"inputs\.profile"):
        render_plots(document)


@pytest.mark.parametrize("make", [failing_document, passing_document, hostile_document])
def test_page_parses_without_an_error_by_html5lib(make: Any) -> None:
    """The WHATWG parsing algorithm (html5lib, strict) finds no parse error in the page."""
    document = make()
    document["keys"] = [burn_key(["SLASH-BOUNDS"])]
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    tree = parser.parse(render_html(document))
    assert not parser.errors
    assert tree.find(".//nav") is not None
    assert tree.findall(".//header//ul/li") or make is passing_document
