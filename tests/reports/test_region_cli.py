"""`stratoverify region`: a key's exact safe set with its evidence, two keys' map, and the plots.

The command runs through its `main(argv)` (`cli_runner.stratoverify`), on the real solver.
GOV-PARAMS' arithmetic (`model.coherence.check_coherence`) is the independent oracle the safe sets
are held against: the STR margin's three shares must add up to it, so with the other keys at the
whitepaper's values only `str_burn_bps = 1000` keeps the shares coherent.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from cli_runner import stratoverify, stratoverify_process

from model.coherence import check_coherence
from model.params import WHITEPAPER_PARAMS, Params, param_specs, with_values
from solver.registry import PROVED_IDS

ROOT = Path(__file__).resolve().parents[2]
PROPOSALS = ROOT / "fixtures" / "proposals"
BURN = "payment.str_burn_bps"
NODE = "payment.str_node_profit_bps"


def setting(params: Params, key: str, value: int) -> Params:
    subspace, name = key.split(".")
    return with_values(params, {(subspace, name): value})


@pytest.fixture(scope="module")
def burn_json() -> dict[str, Any]:
    result = stratoverify("region", BURN, "--json", "--quiet")
    assert result.returncode == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


@pytest.mark.slow
def test_one_key__safe_set_and_evidence_json(burn_json: Mapping[str, Any]) -> None:
    assert burn_json["schema"] == "stratoverify/region/1"
    assert burn_json["kind"] == "key"
    assert burn_json["profile"] == "hardened"
    region = burn_json["region"]
    assert region["key"] == BURN
    assert region["value"] == 1000
    assert region["domain"] == {"low": 0, "high": 10_000}
    assert [(item["low"], item["high"]) for item in region["safe"]] == [(1000, 1000)]
    assert region["value_is_safe"] is True
    assert region["breaks"] == []
    assert region["unknown"] == []
    low, high = region["safe"][0]["ends"]
    assert (low["value"], low["neighbour"]) == (1000, 999)
    assert (high["value"], high["neighbour"]) == (1000, 1001)
    for end in (low, high):
        assert end["refuted_by"] in PROVED_IDS


@pytest.mark.slow
def test_one_key__evidence_agrees_with_the_coherence_oracle(
    burn_json: Mapping[str, Any],
) -> None:
    """Each end is coherent; each neighbour refuted by GOV-PARAMS is incoherent."""
    for item in burn_json["region"]["safe"]:
        for end in item["ends"]:
            assert check_coherence(setting(WHITEPAPER_PARAMS, BURN, end["value"])) == ()
            if end["refuted_by"] == "GOV-PARAMS":
                assert check_coherence(setting(WHITEPAPER_PARAMS, BURN, end["neighbour"]))


@pytest.mark.slow
def test_one_key__constitution(burn_json: Mapping[str, Any]) -> None:
    constitution = burn_json["constitution"]
    assert constitution["constitution"] == "hardened"
    assert constitution["process"] == "parameter-change"
    assert constitution["vote"] == "x/gov supermajority"
    assert (constitution["minimum"], constitution["maximum"]) == (0, 10_000)
    assert constitution["fits"] is True
    assert constitution["problems"] == []


@pytest.mark.slow
def test_one_key__text(burn_json: Mapping[str, Any]) -> None:
    result = stratoverify("region", BURN, "--quiet")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert f"{BURN} = 1000 on whitepaper defaults, profile hardened; domain 0..10000" in text
    assert "safe, the other keys fixed: 1000\n" in text
    low, high = burn_json["region"]["safe"][0]["ends"]
    assert f"low end:  1000 PROVED; 999 REFUTED by {low['refuted_by']}" in text
    assert f"high end: 1000 PROVED; 1001 REFUTED by {high['refuted_by']}" in text
    assert "constitution: needs a parameter change by x/gov supermajority, range 0..10000" in text
    assert "1000 fits" in text


def test_one_key__over_a_proposal() -> None:
    """The base may be a proposal: the region is taken on the parameters it leaves."""
    result = stratoverify(
        "region", BURN, "--base", PROPOSALS / "burn-12pct-alone.legacy.json", "--json", "--quiet"
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    region = document["region"]
    assert document["base"]["kind"] == "legacy proposal"
    assert region["value"] == 1200
    assert region["value_is_safe"] is False
    assert "GOV-PARAMS" in region["breaks"]
    assert [(item["low"], item["high"]) for item in region["safe"]] == [(1000, 1000)]


def test_one_key__whitepaper_profile_reads_the_literal_constitution() -> None:
    result = stratoverify("region", "slashing.slash_factor", "--profile", "whitepaper", "--json")
    assert result.returncode == 0, result.stderr
    constitution = json.loads(result.stdout)["constitution"]
    assert constitution["constitution"] == "whitepaper"
    assert (constitution["process"], constitution["vote"]) == (
        "parameter-change",
        "simple majority",
    )
    assert (constitution["minimum"], constitution["maximum"]) == (1, 100)


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str, Path]:
    folder = tmp_path_factory.mktemp("pair")
    plot = folder / "pair.svg"
    made = stratoverify("region", BURN, NODE, "--samples", "5", "--json", "--plot", plot)
    assert made.returncode == 0, made.stderr
    text = stratoverify("region", BURN, NODE, "--samples", "5", "--quiet")
    assert text.returncode == 0, text.stderr
    return json.loads(made.stdout), text.stdout, plot


@pytest.mark.slow
def test_pair__map(pair: tuple[dict[str, Any], str, Path]) -> None:
    """The STR margin (4000) is node + burn + network (1000): node = 3000 - burn exactly."""
    document, _, _ = pair
    assert document["kind"] == "pair"
    assert (document["key_x"], document["key_y"]) == (BURN, NODE)
    assert (document["value_x"], document["value_y"]) == (1000, 2000)
    xs = [row["x"] for row in document["rows"]]
    assert xs == sorted(xs) and len(xs) >= 5
    assert xs[0] == 0 and xs[-1] == 10_000
    for row in document["rows"]:
        safe = [(item["low"], item["high"]) for item in row["safe"]]
        expected = [(3000 - row["x"],) * 2] if row["x"] <= 3000 else []
        assert safe == expected, row
        for item in row["safe"]:
            params = setting(setting(WHITEPAPER_PARAMS, BURN, row["x"]), NODE, item["low"])
            assert check_coherence(params) == ()


@pytest.mark.slow
def test_pair__text_grid(pair: tuple[dict[str, Any], str, Path]) -> None:
    document, text, _ = pair
    lines = text.splitlines()
    assert lines[0].startswith(f"{BURN} (x) and {NODE} (y) on whitepaper defaults")
    grid = [line for line in lines if line[:1] in (" ", "*") and line.lstrip("* ")[:1].isdigit()]
    assert len(grid) == len(document["rows"])
    for line, row in zip(grid, document["rows"], strict=True):
        x, safe = line[1:].split(maxsplit=1)
        assert int(x) == row["x"]
        expected = ", ".join(str(item["low"]) for item in row["safe"]) or "none"
        assert safe.strip() == expected
    assert any(line.startswith("*") and line.split()[1] == "1000" for line in grid)


@pytest.mark.slow
def test_pair__plot_is_valid_svg(pair: tuple[dict[str, Any], str, Path]) -> None:
    _, _, plot = pair
    root = ElementTree.parse(plot).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert BURN in plot.read_text("utf-8")


def test_plot_png(tmp_path: Path) -> None:
    pil = pytest.importorskip("PIL.Image")
    plot = tmp_path / "burn.png"
    result = stratoverify("region", BURN, "--plot", plot, "--quiet")
    assert result.returncode == 0, result.stderr
    with pil.open(plot) as image:
        image.verify()
        assert image.format == "PNG"
    with pil.open(plot) as image:
        assert image.size[0] > 100 and image.size[1] > 50


def test_out_folder(tmp_path: Path) -> None:
    result = stratoverify("region", BURN, "--out", tmp_path / "out", "--quiet")
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "out"
    assert json.loads((folder / "region.json").read_text("utf-8"))["region"]["key"] == BURN
    assert (folder / "region.txt").read_text("utf-8") == result.stdout
    assert ElementTree.parse(folder / "region.svg").getroot().tag.endswith("svg")


@pytest.mark.slow
def test_json_is_deterministic(burn_json: Mapping[str, Any]) -> None:
    """Same inputs, same bytes: the JSON carries no time (the time goes to stderr). The second run
    is a fresh interpreter (another hash seed, nothing imported before it)."""
    first = stratoverify("region", BURN, "--json")
    second = stratoverify_process("region", BURN, "--json")
    assert first.returncode == second.returncode == 0
    assert first.stdout.encode("utf-8") == second.stdout.encode("utf-8")
    assert json.loads(first.stdout) == burn_json
    assert "computed in" in first.stderr
    assert first.stdout.lstrip().startswith("{")


def test_invalid_unknown_key() -> None:
    result = stratoverify("region", "payment.str_burn_bp")
    assert result.returncode == 2
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert "unknown parameter 'payment.str_burn_bp'" in line
    assert "(did you mean 'payment.str_burn_bps'?)" in line
    assert "Traceback" not in result.stderr


def test_invalid_unknown_second_key() -> None:
    result = stratoverify("region", BURN, "payment.nothing_like_it")
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert "unknown parameter 'payment.nothing_like_it'" in line


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--plot", "region.pdf"), "a plot file ends in .svg or .png"),
        (("--base", "no-such-file.json"), "no such file"),
        ((BURN,), "give two different keys"),
    ],
)
def test_invalid_usage(args: tuple[str, ...], expected: str) -> None:
    result = stratoverify("region", BURN, *args)
    assert result.returncode == 2, result.stderr
    (line,) = result.stderr.splitlines()
    assert expected in line


def test_every_key_is_accepted_by_name() -> None:
    """The names `region` accepts are the parameter set's, as `params --format table` lists."""
    from reports.cli import build_parser  # noqa: PLC0415 - the parser alone, no engine

    parser = build_parser()
    for spec in param_specs():
        assert parser.parse_args(["region", spec.name]).key == spec.name


def test_one_key__refuted_whatever_its_value() -> None:
    """Under the literal text some invariants fail at the defaults and read no payment key: no
    burn share is safe, and the output names them apart."""
    result = stratoverify("region", BURN, "--profile", "whitepaper", "--json")
    assert result.returncode == 0, result.stderr
    region = json.loads(result.stdout)["region"]
    assert region["safe"] == []
    assert region["value_is_safe"] is False
    assert region["fixed_breaks"]
    assert set(region["fixed_breaks"]) <= set(region["breaks"])
    text = stratoverify("region", BURN, "--profile", "whitepaper", "--quiet").stdout
    assert "safe, the other keys fixed: none\n" in text
    assert "refuted whatever the key's value (they do not read it): " in text
    assert ", ".join(region["fixed_breaks"]) in text


def test_plot__domains_past_a_machine_integer(tmp_path: Path) -> None:
    """Amounts range to 10^24: the map is drawn (on a log scale), not refused by an overflow."""
    plot = tmp_path / "amounts.svg"
    result = stratoverify(
        "region",
        "payment.validation_floor_ustr",
        "governance.complaint_min_deposit_ustr",
        "--samples",
        "3",
        "--plot",
        plot,
        "--quiet",
    )
    assert result.returncode == 0, result.stderr
    root = ElementTree.parse(plot).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert "1e+24" in plot.read_text("utf-8")


def test_describe_end__three_kinds_of_evidence() -> None:
    from reports.region import describe_end  # noqa: PLC0415 - the solver loads with it

    assert describe_end({"value": 1000, "neighbour": 1001, "refuted_by": "GOV-PARAMS"}) == (
        "1000 PROVED; 1001 REFUTED by GOV-PARAMS"
    )
    assert describe_end({"value": 10000, "neighbour": None, "refuted_by": None}) == (
        "10000 PROVED; the domain ends there"
    )
    # A neighbour the solver could not decide is never called refuted.
    assert describe_end({"value": 7, "neighbour": 8, "refuted_by": None}) == "7 PROVED; 8 undecided"
