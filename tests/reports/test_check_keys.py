"""`check` on a proposal: per changed key, the process it needs, whether it fits the constitution,
its exact safe set with the other keys as proposed, and repairs, in every rendering.

The proposal `burn-12pct-alone.legacy.json` raises `payment.str_burn_bps` from 1000 to 1200 and
nothing else, so the STR margin's shares no longer add up (GOV-PARAMS). The coherence arithmetic
(`model.coherence.check_coherence`) is the independent oracle: only 1000 adds up with the other
keys fixed, and node profit 1800 (or network support 800) adds up with 1200.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Mapping
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from cli_runner import stratoverify

from model.coherence import check_coherence
from model.constitution import HARDENED_CONSTITUTION, LITERAL_CONSTITUTION
from model.params import WHITEPAPER_PARAMS, Params, param_specs, with_values
from model.profile import HARDENED, WHITEPAPER
from reports.inputs import load_params
from reports.plots import render_key_bar_svg
from reports.region import (
    MAX_REGION_KEYS,
    REGION_BUDGET_SECONDS,
    KeysRun,
    analyse_changes,
    describe_region,
    get_constitution_fit,
    render_keys_text,
)
from reports.report import compute_content_sha256

ROOT = Path(__file__).resolve().parents[2]
PROPOSALS = ROOT / "fixtures" / "proposals"
BURN_PROPOSAL = PROPOSALS / "burn-12pct-alone.legacy.json"
BURN = "payment.str_burn_bps"
NODE = "payment.str_node_profit_bps"


def setting(params: Params, **values: int) -> Params:
    pairs: dict[tuple[str, str], int] = {}
    for name, value in values.items():
        subspace, key = name.split(".", 1)
        pairs[(subspace, key)] = value
    return with_values(params, pairs)


def burn_line() -> int:
    lines = BURN_PROPOSAL.read_text("utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if '"value"' in line)


@pytest.fixture(scope="module")
def burn_keys() -> KeysRun:
    return analyse_changes(load_params(BURN_PROPOSAL), HARDENED, effort="default", seed=0)


# --- The analysis ------------------------------------------------------------------------------


@pytest.mark.slow
def test_burn__process_and_fit(burn_keys: KeysRun) -> None:
    (key,) = burn_keys.keys
    assert (key["parameter"], key["base"], key["value"]) == (BURN, 1000, 1200)
    assert key["line"] == burn_line()
    constitution = key["constitution"]
    assert constitution["constitution"] == "hardened"
    assert constitution["process"] == "parameter-change"
    assert constitution["vote"] == "x/gov supermajority"
    assert (constitution["minimum"], constitution["maximum"]) == (0, 10_000)
    assert constitution["fits"] is True
    assert burn_keys.note == ""


@pytest.mark.slow
def test_burn__safe_set_is_exactly_1000(burn_keys: KeysRun) -> None:
    (key,) = burn_keys.keys
    region = key["region"]
    assert region["computed"] is True
    assert [(item["low"], item["high"]) for item in region["safe"]] == [(1000, 1000)]
    assert region["value_is_safe"] is False
    assert "GOV-PARAMS" in region["breaks"]
    proposed = load_params(BURN_PROPOSAL).params
    assert check_coherence(setting(proposed, **{BURN: 1000})) == ()
    assert check_coherence(setting(proposed, **{BURN: 999}))
    assert check_coherence(setting(proposed, **{BURN: 1001}))


@pytest.mark.slow
def test_burn__repairs(burn_keys: KeysRun) -> None:
    """Every repair, applied with the change, adds up; node profit 1800 is one of them."""
    (key,) = burn_keys.keys
    repairs = {repair["parameter"]: repair for repair in key["repairs"]}
    assert NODE in repairs
    assert repairs[NODE]["low"] <= 1800 <= repairs[NODE]["high"]
    proposed = load_params(BURN_PROPOSAL).params
    for name, repair in repairs.items():
        for value in {repair["low"], repair["high"]}:
            assert check_coherence(setting(proposed, **{name: value})) == (), (name, value)


@pytest.mark.slow
def test_burn__message(burn_keys: KeysRun) -> None:
    (key,) = burn_keys.keys
    message = key["message"]
    assert message.startswith(f"{BURN} = 1200 breaks ")
    assert "GOV-PARAMS" in message.split(";")[0]
    assert "; with the other keys fixed only 1000 keeps every proved invariant; " in message
    assert f"moving {NODE} to 1800" in message
    assert message.rstrip().endswith("keeps them") or "more in the report" in message


def test_amendment_keys_by_parameter_change__does_not_fit() -> None:
    """Under the hardened constitution the consensus threshold changes only by amendment."""
    loaded = load_params(PROPOSALS / "threshold-half.legacy.json")
    keys = analyse_changes(loaded, HARDENED, effort="quick", seed=0, with_regions=False)
    assert keys.keys
    for key in keys.keys:
        assert key["parameter"].startswith("consensus.threshold")
        assert key["constitution"]["process"] == "amendment"
        assert key["constitution"]["fits"] is False
        problems = " ".join(key["constitution"]["problems"])
        assert "changes only by amendment" in problems
        row = HARDENED_CONSTITUTION.rows[key["parameter"]]
        if row.minimum == row.maximum != key["value"]:
            assert f"{key['value']} is not its fixed value {row.minimum}" in problems
        assert key["region"] == {"computed": False, "reason": "the z3 engine was not selected"}
    assert keys.note == "no safe sets: the z3 engine was not selected"
    literal = analyse_changes(loaded, WHITEPAPER, effort="quick", seed=0, with_regions=False)
    assert [key["constitution"]["process"] for key in literal.keys] == ["parameter-change"] * len(
        literal.keys
    )


def test_ratio_bound__threshold_below_two_thirds() -> None:
    params = setting(
        WHITEPAPER_PARAMS, **{"consensus.threshold_num": 1, "consensus.threshold_den": 2}
    )
    fit = get_constitution_fit(
        HARDENED_CONSTITUTION, params, "consensus.threshold_num", by_parameter_change=False
    )
    assert fit.fits is False
    assert any("must be at least 2/3 and below 1" in problem for problem in fit.problems)
    literal = get_constitution_fit(
        LITERAL_CONSTITUTION, params, "consensus.threshold_num", by_parameter_change=True
    )
    assert literal.fits is True


def test_range__outside_the_row() -> None:
    params = setting(WHITEPAPER_PARAMS, **{"payment.payment_rate_bps": 5_000})
    fit = get_constitution_fit(
        HARDENED_CONSTITUTION, params, "payment.payment_rate_bps", by_parameter_change=True
    )
    assert fit.fits is False
    assert fit.problems == ("5000 is outside its range 10000..1000000",)


def test_budget_spent__says_so() -> None:
    """A key is not begun once the budget is spent, and the note names it."""
    ticks = itertools.count(0, 10_000)
    keys = analyse_changes(
        load_params(BURN_PROPOSAL),
        HARDENED,
        effort="quick",
        seed=0,
        clock=lambda: float(next(ticks)),
    )
    (key,) = keys.keys
    assert key["region"]["computed"] is False
    assert "budget" in key["region"]["reason"]
    assert keys.note.startswith(f"no safe set for {BURN}: ")
    assert key["constitution"]["fits"] is True
    text = "\n".join(render_keys_text({"keys": list(keys.keys), "keys_note": keys.note}))
    assert "safe set not computed" in text and "budget" in text


def test_many_keys__bounded(tmp_path: Path) -> None:
    """Past the first MAX_REGION_KEYS changed keys no safe set is begun, and the note says so."""
    changed = [spec for spec in param_specs() if spec.maximum - spec.minimum > 2][
        : MAX_REGION_KEYS + 1
    ]
    document: dict[str, dict[str, int]] = {}
    for spec in changed:
        value = spec.default + 1 if spec.default < spec.maximum else spec.default - 1
        document.setdefault(spec.subspace, {})[spec.key] = value
    path = tmp_path / "many.json"
    path.write_text(json.dumps(document), "utf-8")
    ticks = itertools.count(0, 10_000)
    keys = analyse_changes(
        load_params(path), HARDENED, effort="quick", seed=0, clock=lambda: float(next(ticks))
    )
    assert [key["parameter"] for key in keys.keys] == [spec.name for spec in changed]
    reasons = [key["region"]["reason"] for key in keys.keys]
    assert all("budget" in reason for reason in reasons[:MAX_REGION_KEYS])
    assert (
        reasons[MAX_REGION_KEYS] == f"only the first {MAX_REGION_KEYS} changed keys get a safe set"
    )
    assert changed[-1].name in keys.note


# --- End to end: check and its renderings -------------------------------------------------------


@pytest.fixture(scope="module")
def burn_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("burn")
    result = stratoverify("check", BURN_PROPOSAL, "--engines", "z3", "--out", out)
    assert result.returncode == 1, result.stderr
    return out, result.stdout


def read(folder: Path, name: str) -> str:
    return (folder / name).read_text("utf-8")


@pytest.mark.slow
def test_check__report_json(burn_run: tuple[Path, str], burn_keys: KeysRun) -> None:
    folder, _ = burn_run
    document = json.loads(read(folder, "report.json"))
    assert compute_content_sha256(document) == document["content_sha256"]
    assert document["keys"] == json.loads(json.dumps(list(burn_keys.keys)))
    assert document["keys_note"] == ""
    assert BURN in document["timings"]["region_milliseconds"]


@pytest.mark.slow
def test_check__terminal(burn_run: tuple[Path, str], burn_keys: KeysRun) -> None:
    _, stdout = burn_run
    (key,) = burn_keys.keys
    assert "changed keys:" in stdout
    assert f"{BURN} = 1200 (was 1000): needs a parameter change by x/gov supermajority" in stdout
    assert "1200 fits" in stdout
    assert key["message"] in stdout
    assert stdout.rstrip().splitlines()[-1].startswith("verdict: fail")


@pytest.mark.slow
def test_check__markdown(burn_run: tuple[Path, str], burn_keys: KeysRun) -> None:
    folder, _ = burn_run
    markdown = read(folder, "report.md")
    (key,) = burn_keys.keys
    section = markdown.split("## Changed keys", 1)[1].split("\n## ", 1)[0]
    assert (
        "| payment.str_burn_bps | 1200 | parameter change | x/gov supermajority | 0..10000 "
        "| fits | 1000 |" in section
    )
    assert f"- {key['message']}" in section
    assert "safe 1000: low end 1000 PROVED; 999 REFUTED by " in section


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.ids += [value for name, value in attrs if name == "id" and value]


@pytest.mark.slow
def test_check__html(burn_run: tuple[Path, str], burn_keys: KeysRun) -> None:
    folder, _ = burn_run
    page = read(folder, "report.html")
    parser = _Collector()
    parser.feed(page)
    assert "keys" in parser.ids
    assert "bar-payment_str_burn_bps" in parser.ids
    section = page.split('<section id="keys">', 1)[1].split("</section>", 1)[0]
    svg = section[section.index("<svg") : section.index("</svg>") + len("</svg>")]
    root = ElementTree.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    shaded = [rect for rect in root.iter("{http://www.w3.org/2000/svg}rect")]
    assert len(shaded) == 2  # the domain, and the one safe value
    titles = [element.text for element in root.iter("{http://www.w3.org/2000/svg}title")]
    assert titles == ["safe 1000..1000", "the constitution's range 0..10000"]
    assert "does not fit" not in section and ">fits<" in section
    (key,) = burn_keys.keys
    assert key["message"].replace("&", "&amp;") in section
    assert "http://" not in page.replace("http://www.w3.org/", "")


@pytest.mark.slow
def test_check__sarif(burn_run: tuple[Path, str], burn_keys: KeysRun) -> None:
    folder, _ = burn_run
    sarif = json.loads(read(folder, "report.sarif"))
    assert sarif["version"] == "2.1.0"
    results = {result["ruleId"]: result for result in sarif["runs"][0]["results"]}
    (key,) = burn_keys.keys
    gov = results["GOV-PARAMS"]
    assert gov["message"]["text"].startswith(key["message"])
    (location,) = gov["locations"]
    physical = location["physicalLocation"]
    assert physical["artifactLocation"]["uri"].endswith("burn-12pct-alone.legacy.json")
    assert physical["region"]["startLine"] == burn_line()
    assert key["message"] in location["message"]["text"]
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    assert rules[gov["ruleIndex"]]["id"] == "GOV-PARAMS"


def test_check__defaults_have_no_keys(tmp_path: Path) -> None:
    result = stratoverify(
        "check", "--engines", "z3", "--only", "GOV-PARAMS", "--out", tmp_path, "--quiet"
    )
    assert result.returncode == 0, result.stderr
    document: Mapping[str, Any] = json.loads(read(tmp_path, "report.json"))
    assert document["keys"] == []
    assert "keys" not in document["timings"]
    assert "Changed keys" not in read(tmp_path, "report.md")
    assert 'id="keys"' not in read(tmp_path, "report.html")
    assert "changed keys" not in result.stdout


# --- The one-line message ------------------------------------------------------------------------


def _region(**fields: Any) -> dict[str, Any]:
    region: dict[str, Any] = {
        "safe": [],
        "value_is_safe": False,
        "breaks": [],
        "fixed_breaks": [],
        "unknown": [],
    }
    region.update(fields)
    return region


def test_message__safe_value() -> None:
    region = _region(safe=[{"low": 0, "high": 500}], value_is_safe=True)
    assert describe_region("k.v", 7, region, []) == (
        "k.v = 7 keeps every proved invariant; with the other keys fixed the safe values are 0..500"
    )


def test_message__ranges_undecided_and_a_range_repair() -> None:
    region = _region(
        safe=[{"low": 0, "high": 5}, {"low": 9, "high": 9}],
        breaks=["GOV-PARAMS"],
        unknown=[{"low": 20, "high": 30}],
    )
    repairs = [{"parameter": "k.w", "low": 3, "high": 4}]
    assert describe_region("k.v", 7, region, repairs) == (
        "k.v = 7 breaks GOV-PARAMS; with the other keys fixed only 0..5, 9 keep every proved "
        "invariant (undecided: 20..30); moving k.w to a value in 3..4 with it keeps them"
    )


def test_message__undecided_value_and_no_repair() -> None:
    region = _region(safe=[{"low": 1, "high": 1}])
    assert describe_region("k.v", 7, region, []) == (
        "k.v = 7 is not proved safe (the solver left it undecided); with the other keys fixed "
        "only 1 keeps every proved invariant"
    )
    broken = _region(breaks=["CONS-SPLIT"])
    assert describe_region("k.v", 7, broken, []) == (
        "k.v = 7 breaks CONS-SPLIT; with the other keys fixed no value keeps every proved "
        "invariant; no other single key moved with it keeps them"
    )


def test_message__refuted_whatever_the_value() -> None:
    region = _region(breaks=["SLASH-BOUNDS"], fixed_breaks=["SLASH-BOUNDS"])
    message = describe_region("k.v", 7, region, [])
    assert message.startswith(
        "k.v = 7 breaks SLASH-BOUNDS; no value of k.v keeps every proved invariant while "
        "SLASH-BOUNDS (which does not read it) is refuted at the other keys' values"
    )


def test_message__many_repairs_are_cut() -> None:
    repairs = [{"parameter": f"k.r{n}", "low": n, "high": n} for n in range(5)]
    message = describe_region("k.v", 7, _region(breaks=["X"]), repairs)
    assert message.endswith(
        "moving k.r0 to 0, or k.r1 to 1, or k.r2 to 2, with it keeps them (and 2 more in the report)"
    )


def test_budget_stops_the_repairs__says_so_and_claims_nothing() -> None:
    """The safe set is found; the budget runs out before the repairs: the message says the
    repairs were not searched to the end, never that no repair exists."""
    calls = itertools.count()
    # Four readings of the clock before the repairs begin (start, key begun, two budget checks).
    keys = analyse_changes(
        load_params(BURN_PROPOSAL),
        HARDENED,
        effort="quick",
        seed=0,
        clock=lambda: 0.0 if next(calls) < 4 else 1_000.0,
    )
    (key,) = keys.keys
    assert key["region"]["computed"] is True
    assert [(item["low"], item["high"]) for item in key["region"]["safe"]] == [(1000, 1000)]
    assert key["repairs"] == []
    budget = REGION_BUDGET_SECONDS["quick"]
    assert key["repairs_note"].startswith(
        f"repairs not searched to the end within the {budget:g} s"
    )
    assert "no other single key" not in key["message"]
    assert key["message"].endswith(key["repairs_note"])


# --- The HTML bar ---------------------------------------------------------------------------------


def test_bar__wide_domain_is_drawn_on_a_log_scale_and_escaped() -> None:
    region = {
        "key": 'k.<v&"w>',
        "value": 5,
        "domain": {"low": 0, "high": 10**24},
        "safe": [{"low": 1, "high": 10**24}],
        "unknown": [{"low": 0, "high": 0}],
        "range": {"low": 1, "high": 10**24},
    }
    svg = render_key_bar_svg(region, bar_id="bar-k")
    root = ElementTree.fromstring(svg)
    assert root.get("aria-label") == 'safe values of k.<v&"w>'
    texts = [element.text for element in root.iter("{http://www.w3.org/2000/svg}text")]
    assert texts == ["0", f"{10**24} (log scale)", "5"]
    rects = list(root.iter("{http://www.w3.org/2000/svg}rect"))
    # The domain, the safe range from 1 on, and the undecided single value 0, at least 2 px wide.
    assert len(rects) == 3
    assert all(float(rect.get("width", "0")) >= 2 for rect in rects)
    safe = rects[1]
    # 1 sits near the bar's left: log10(1 + 1) of log10(10^24 + 1).
    assert float(safe.get("x", "0")) == pytest.approx(8 + 464 * math.log10(2) / 24, abs=0.01)


def test_bar__one_value_of_a_small_domain() -> None:
    region = {
        "key": "k.v",
        "value": 3,
        "domain": {"low": 0, "high": 4},
        "safe": [{"low": 2, "high": 2}],
        "unknown": [],
    }
    root = ElementTree.fromstring(render_key_bar_svg(region, bar_id="bar-k"))
    _, safe = root.iter("{http://www.w3.org/2000/svg}rect")
    # 2 of 0..4 on a linear scale: the bar's left third to its middle-ish, a fifth of it wide.
    assert float(safe.get("x", "0")) == pytest.approx(8 + 464 * 2 / 4)
    assert float(safe.get("width", "0")) == pytest.approx(464 / 4)


def _explode(*_: object) -> None:
    raise ValueError("the solver broke")


def test_search_that_fails__is_reported_not_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    """A search that raises (in the child process) leaves the key without a safe set, says why,
    and the check goes on."""
    monkeypatch.setattr("reports.region._key_region_task", _explode)
    keys = analyse_changes(load_params(BURN_PROPOSAL), HARDENED, effort="quick", seed=0)
    (key,) = keys.keys
    assert key["region"] == {
        "computed": False,
        "reason": "the search failed (ValueError: the solver broke)",
    }
    assert key["constitution"]["fits"] is True
    assert keys.note == f"no safe set for {BURN}: the search failed (ValueError: the solver broke)"
