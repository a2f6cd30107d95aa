"""The report's three plots (payment split, slash schedule, STR supply) as deterministic SVG text.

Each plot has a pure data function that reads the model's exact integers, so tests check the
numbers, and a drawing step that turns them into floats only to place marks. Figures are built on
`matplotlib.figure.Figure` (no pyplot, no global state) under fixed rc settings, so the same
report document gives the same SVG bytes.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from enum import Enum
from typing import TYPE_CHECKING, Any

from attrs import frozen

from model import arith
from model.coherence import check_coherence
from model.params import Params, ParamsError
from model.payment import compute_payment_split
from model.profile import PROFILES, Profile
from model.slashing import compute_slash_rate_bps
from model.supply import compute_inflation_rate_bps
from model.units import BPS_DENOMINATOR, MICRO, Bps, Outcome, Rejected, UsdMicro, UStr
from reports.param_documents import parse_param_set

if TYPE_CHECKING:
    # The typed rc keys exist only in recent stubs; annotations are never evaluated at run time.
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.typing import RcKeyType

PLOT_COST: UsdMicro = 100 * MICRO
"""The cost whose payment split is drawn: §6.3.3's $100 example, in micro-dollars."""

GENESIS_SUPPLY_USTR: UStr = 1_000_000_000 * MICRO
"""The whitepaper states no genesis STR supply (§6.2, §6.4, §6.9); a round billion STR is assumed."""

SPEND_SHARE_BPS: Bps = 1_000
"""Assumed yearly spend through the network, as a share of STR supply (10%); §6.4 burns a share."""

PROJECTION_YEARS = 10
"""How many years the supply projection covers."""

BASE_COLOR = "#8a8f98"
CHECKED_COLOR = "#1f5fa8"
BASE_LINE_COLOR = "#c9ced6"
LIMIT_COLOR = "#c0392b"
FIGURE_SIZE = (7.2, 3.8)
"""Inches; with matplotlib's 72 points per inch the SVG is 518 x 274 pt."""

_RC: dict[RcKeyType, Any] = {
    "svg.hashsalt": "stratoverify",
    # Text stays text: no glyph definitions to duplicate between the page's three SVGs.
    "svg.fonttype": "none",
    # Labels hold dollar signs; mathtext would read "$100 ... $" as a formula.
    "text.parse_math": False,
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
# Every key matplotlib would otherwise stamp into the SVG's metadata, including its version URL.
_SVG_METADATA: dict[str, Any] = {"Date": None, "Creator": None, "Format": None, "Type": None}


class PlotError(ValueError):
    """Raised when a report document's parameters or profile cannot be read for plotting."""


@frozen
class Plot:
    """One figure of the HTML report: its element id, title, caption and SVG element text."""

    id: str
    title: str
    caption: str
    svg: str
    """An `<svg>` element ready to inline in HTML5 (no XML prolog, ids prefixed with `id`)."""


class SlashEvent(Enum):
    """What happens to an offender at one step of the slash-schedule plot."""

    SLASH = "slash"
    WINDOW_EXPIRED = "window expired"


SLASH_EVENTS: tuple[SlashEvent, ...] = (
    *(SlashEvent.SLASH,) * 7,
    *(SlashEvent.WINDOW_EXPIRED,) * 3,
    *(SlashEvent.SLASH,) * 2,
)
"""Seven slashes within one window, three windows without a slash, then two more slashes."""


@frozen
class SlashPoint:
    """One event of the slash-schedule plot: the level the rate is read at, and that rate."""

    label: str
    event: SlashEvent
    level: int
    """For a slash, the level it is charged at; after an expired window, the decayed level."""
    rate_bps: Bps
    """For a slash, its rate; after an expired window, the rate the next slash would take."""


@frozen
class PlotInputs:
    """What the plots read from a report document: both parameter sets and the profile."""

    base: Params
    checked: Params
    profile: Profile
    base_source: str
    checked_source: str
    base_label: str = "base"
    """What the legends and captions call the base set (`diff`: "old")."""
    checked_label: str = "checked"
    """What the legends and captions call the checked set (`diff`: "new")."""
    checked_profile: Profile | None = None
    """The checked set's profile where it differs from `profile` (`diff` of two profiles)."""

    def get_checked_profile(self) -> Profile:
        """The profile the checked set is read under."""
        return self.profile if self.checked_profile is None else self.checked_profile


# --- Data: exact values from the model -----------------------------------------------------------

PAYMENT_PART_LABELS: tuple[str, ...] = (
    "cost basis (STB)",
    "node profit (STB)",
    "reserve swap (STB)",
    "node profit (STR)",
    "burn (STR)",
    "network support (STR)",
)
"""The six parts of §6.3's node payment, in `PaymentSplit.parts` order."""


def compute_burn_share_bps(params: Params) -> int:
    """§6.4: the share of total spend burned, the STR burn plus the STB swap reserve (which buys
    STR to burn): 15% at the defaults. The plot's projection and `diff` read it; no chain rule
    does."""
    return params.payment.str_burn_bps + params.payment.stb_reserve_swap_bps


def payment_split_rows(
    params: Params, *, cost: UsdMicro = PLOT_COST
) -> tuple[tuple[str, int], ...]:
    """§6.3: each part of the node payment for `cost`, as (label, micro-dollars)."""
    split = compute_payment_split(cost, params)
    return tuple(zip(PAYMENT_PART_LABELS, split.parts(), strict=True))


REMAINDER_LABEL = "unassigned (+) / over-assigned (-)"
"""The bar of an incoherent set's split: what its stated shares leave of T, or take beyond it."""


@frozen
class DrawnSplit:
    """A payment split as drawn: each part at its own stated share, and what remains of T.

    For a coherent set the parts are the model's split and nothing remains. For an incoherent
    one (GOV-PARAMS) each part is its stated share of T (the cost basis the cost itself), so the
    node's profit is not silently the remainder: the remainder is a part of its own, positive if
    the shares leave some of T unassigned, negative if they assign more than T."""

    rows: tuple[tuple[str, int], ...]
    """(label, micro-dollars) of `PAYMENT_PART_LABELS`, in that order."""
    remainder: int
    """T minus the drawn parts; 0 for a coherent set."""
    rules: tuple[str, ...]
    """The coherence rules the set breaks (`model.coherence.check_coherence`), empty if none."""

    def describe(self) -> str:
        """ "incoherent: <rule>, ..." or the empty text for a coherent set."""
        return f"incoherent: {', '.join(self.rules)}" if self.rules else ""


def draw_payment_split(params: Params, *, cost: UsdMicro = PLOT_COST) -> DrawnSplit:
    """§6.3, §6.8: the split of `cost`'s payment as a plot or a table shows it (`DrawnSplit`)."""
    split = compute_payment_split(cost, params)
    rules = tuple(dict.fromkeys(violation.rule for violation in check_coherence(params)))
    if not rules:
        return DrawnSplit(rows=payment_split_rows(params, cost=cost), remainder=0, rules=())
    payment = params.payment
    stated = (
        cost,
        split.total * payment.stb_node_profit_bps // BPS_DENOMINATOR,
        split.stb_swap_reserve,
        split.total * payment.str_node_profit_bps // BPS_DENOMINATOR,
        split.str_burn_usd,
        split.str_network_support_usd,
    )
    return DrawnSplit(
        rows=tuple(zip(PAYMENT_PART_LABELS, stated, strict=True)),
        remainder=split.total - sum(stated),
        rules=rules,
    )


def slash_schedule_points(
    params: Params, profile: Profile, *, events: Sequence[SlashEvent] = SLASH_EVENTS
) -> tuple[SlashPoint, ...]:
    """§6.10: the slash rate along `events`, levels rising per slash and decaying per window."""
    points: list[SlashPoint] = []
    level = 0
    slashes = windows = 0
    for event in events:
        if event is SlashEvent.SLASH:
            slashes += 1
            rate = compute_slash_rate_bps(level, params, profile)
            points.append(SlashPoint(label=f"S{slashes}", event=event, level=level, rate_bps=rate))
            level += 1
        else:
            windows += 1
            level = arith.decayed_level(arith.INTS, level, 1)
            rate = compute_slash_rate_bps(level, params, profile)
            points.append(SlashPoint(label=f"W{windows}", event=event, level=level, rate_bps=rate))
    return tuple(points)


def get_yearly_burn_bps(params: Params, *, spend_share_bps: Bps = SPEND_SHARE_BPS) -> Bps:
    """§6.4: the share of supply burned a year if `spend_share_bps` of supply is spent, floored."""
    return spend_share_bps * compute_burn_share_bps(params) // BPS_DENOMINATOR


def compute_supply_projection(
    *, initial_supply: UStr, years: int, params: Params, yearly_burn_bps: Bps
) -> Outcome[tuple[UStr, ...]]:
    """§6.4, §6.9: STR supply at the start of each year 0..years, inflation minus a yearly burn.

    A projection for the report's plot, not a rule of the chain: it lives with the plots."""
    # Verify the projection's inputs are a supply, a horizon and a burn share that make sense.
    if initial_supply < 0 or years < 0:
        return Rejected(
            "compute_supply_projection",
            f"initial_supply {initial_supply} and years {years} must not be negative",
        )
    if not 0 <= yearly_burn_bps <= BPS_DENOMINATOR:
        return Rejected(
            "compute_supply_projection",
            f"yearly_burn_bps {yearly_burn_bps} is outside 0..{BPS_DENOMINATOR}",
        )
    supply = initial_supply
    points = [supply]
    for year in range(years):
        rate = compute_inflation_rate_bps(year, params)
        # Dust: both amounts are floored on the year's opening supply; fractions are neither
        # minted nor burned.
        minted = supply * rate // BPS_DENOMINATOR
        burned = supply * yearly_burn_bps // BPS_DENOMINATOR
        supply = supply + minted - burned
        points.append(supply)
    return tuple(points)


def supply_projection_points(
    params: Params,
    *,
    initial_supply: UStr = GENESIS_SUPPLY_USTR,
    years: int = PROJECTION_YEARS,
    spend_share_bps: Bps = SPEND_SHARE_BPS,
) -> tuple[UStr, ...]:
    """§6.4, §6.9: STR supply (ustr) at the start of each year 0..years, inflation minus burn."""
    projection = compute_supply_projection(
        initial_supply=initial_supply,
        years=years,
        params=params,
        yearly_burn_bps=get_yearly_burn_bps(params, spend_share_bps=spend_share_bps),
    )
    if isinstance(projection, Rejected):
        raise PlotError(f"supply projection: {projection}")
    return projection


def read_plot_inputs(document: Mapping[str, Any]) -> PlotInputs:
    """The base and checked parameter sets and the profile named by a report document."""
    try:
        inputs = document["inputs"]
        base_document = inputs["base"]
        profile_name = inputs["profile"]
        base = parse_param_set(base_document["params"])
        checked = parse_param_set(inputs["params"], base=base)
    except KeyError as error:
        raise PlotError(f"report document: missing {error.args[0]!r} under inputs") from None
    except ParamsError as error:
        raise PlotError(f"report document: {error}") from None
    if not isinstance(profile_name, str) or profile_name not in PROFILES:
        raise PlotError(
            f"inputs.profile: expected one of {', '.join(sorted(PROFILES))}, got {profile_name!r}"
        )
    return PlotInputs(
        base=base,
        checked=checked,
        profile=PROFILES[profile_name],
        base_source=str(base_document.get("source", "base")),
        checked_source=str(inputs.get("source", "checked")),
    )


# --- Drawing ------------------------------------------------------------------------------------


def render_plots(document: Mapping[str, Any]) -> tuple[Plot, ...]:
    """The payment-split, slash-schedule and supply plots of a report document, in that order."""
    inputs = read_plot_inputs(document)
    return (
        render_payment_split_plot(inputs),
        render_slash_schedule_plot(inputs),
        render_supply_plot(inputs),
    )


def render_payment_split_plot(inputs: PlotInputs) -> Plot:
    """Grouped bars: the six parts of a $100 node payment, base beside checked parameters; a
    set whose shares do not add up (GOV-PARAMS) is named in the title, its parts drawn at their
    stated shares and what they leave of T (or take beyond it) as a bar of its own."""
    drawn = (
        (inputs.base_label, draw_payment_split(inputs.base)),
        (inputs.checked_label, draw_payment_split(inputs.checked)),
    )
    flagged = [(name, split) for name, split in drawn if split.rules]
    labels = [*PAYMENT_PART_LABELS, *((REMAINDER_LABEL,) if flagged else ())]
    title = f"Payment split of a {format_usd(PLOT_COST)} cost"
    if flagged:
        title += "; " + "; ".join(f"{name} {split.describe()}" for name, split in flagged)
    with open_figure() as figure:
        axes = figure.add_subplot()
        positions = range(len(labels))
        width = 0.38
        for offset, (name, split), color in zip(
            (-width / 2, width / 2), drawn, (BASE_COLOR, CHECKED_COLOR), strict=True
        ):
            values = [value for _, value in split.rows]
            values += [split.remainder] if flagged else []
            bars = axes.bar(
                [position + offset for position in positions],
                [value / MICRO for value in values],
                width=width,
                color=color,
                label=f"{name} ({split.describe()})" if split.rules else name,
            )
            if split.rules:
                for bar in bars:
                    bar.set_hatch("//")
                    bar.set_edgecolor(LIMIT_COLOR)
            axes.bar_label(bars, labels=[format_usd(value) for value in values], fontsize=7)
        axes.axhline(0, color="#333333", linewidth=0.8)
        axes.set_xticks(list(positions), [_tick_label(label) for label in labels])
        if flagged:
            axes.tick_params(axis="x", labelsize=7)
        axes.set_ylabel("USD")
        heading = axes.set_title(title)
        if flagged:
            heading.set_color(LIMIT_COLOR)
            heading.set_wrap(True)
        axes.margins(y=0.15)
        axes.legend(frameon=False)
        svg = figure_to_svg(figure, "plot-payment-split")
    (base_name, base), (checked_name, checked) = drawn
    totals = [
        compute_payment_split(PLOT_COST, params).total for params in (inputs.base, inputs.checked)
    ]
    caption = (
        f"§6.3: the node payment T for a cost of {format_usd(PLOT_COST)}, split into its six "
        f"parts; exact micro-dollar values from the model. {base_name.capitalize()}: "
        f"{inputs.base_source} (T = {format_usd(totals[0])}); {checked_name}: "
        f"{inputs.checked_source} (T = {format_usd(totals[1])})."
    )
    for name, split in flagged:
        caption += (
            f" The {name} set's payment shares are incoherent (GOV-PARAMS: "
            f"{', '.join(split.rules)}): its parts are drawn at their stated shares, the cost "
            f"basis at the cost, and the {format_usd(abs(split.remainder))} they "
            f"{'leave of' if split.remainder >= 0 else 'assign beyond'} T as "
            f"{'unassigned' if split.remainder >= 0 else 'over-assigned'}, not as node profit."
        )
    negative = [label for label, value in (*base.rows, *checked.rows) if value < 0]
    if negative:
        caption += f" Negative parts: {', '.join(dict.fromkeys(negative))}."
    return Plot(id="plot-payment-split", title=title, caption=caption, svg=svg)


def _tick_label(label: str) -> str:
    if label == REMAINDER_LABEL:
        return "remainder:\n+ unassigned\n- over-assigned"
    return label.replace(" (", "\n(")


def render_slash_schedule_plot(inputs: PlotInputs) -> Plot:
    """Lines: the slash rate over a fixed sequence of slashes and expired windows, with 100%."""
    checked_profile = inputs.get_checked_profile()
    base = slash_schedule_points(inputs.base, inputs.profile)
    checked = slash_schedule_points(inputs.checked, checked_profile)
    profiles = inputs.profile.name
    if checked_profile is not inputs.profile:
        profiles = f"{inputs.base_label} {profiles}, {inputs.checked_label} {checked_profile.name}"
    title = f"Slash rate over a fixed event sequence (profile {profiles})"
    with open_figure() as figure:
        axes = figure.add_subplot()
        positions = list(range(len(base)))
        expired = [i for i, point in enumerate(base) if point.event is SlashEvent.WINDOW_EXPIRED]
        if expired:
            axes.axvspan(min(expired) - 0.5, max(expired) + 0.5, color="#eeeeee", zorder=0)
        axes.axhline(100, color=LIMIT_COLOR, linestyle=":", linewidth=1.2, label="100% of stake")
        _draw_base_and_checked(
            axes,
            positions,
            [point.rate_bps / 100 for point in base],
            [point.rate_bps / 100 for point in checked],
            (inputs.base_label, inputs.checked_label),
        )
        axes.set_xticks(positions, [point.label for point in base])
        axes.set_xlabel("event (S = slash, W = a window expires without a slash)")
        axes.set_ylabel("slash rate (% of stake)")
        axes.set_ylim(bottom=0)
        axes.set_title(title)
        axes.legend(frameon=False, loc="upper left")
        svg = figure_to_svg(figure, "plot-slash-schedule")
    caption = (
        "§6.10: seven slashes within one window, three windows expiring without a slash, then "
        "two more slashes. Each slash raises the level by one, each expired window lowers it by "
        "one; a W point shows the rate the next slash would take. "
        f"{inputs.base_label.capitalize()}: "
        f"{_describe_slashing(inputs.base, inputs.profile, base)} "
        f"{inputs.checked_label.capitalize()}: "
        f"{_describe_slashing(inputs.checked, checked_profile, checked)}"
    )
    if not inputs.profile.slash_capped or not checked_profile.slash_capped:
        caption += (
            " Under the whitepaper profile §6.10 names no cap, so the rate passes 100% of the "
            "stake (SLASH-BOUNDS)."
        )
    return Plot(id="plot-slash-schedule", title=title, caption=caption, svg=svg)


def render_supply_plot(inputs: PlotInputs) -> Plot:
    """Lines: STR supply over ten years with §6.9 inflation and an assumed §6.4 burn."""
    base = supply_projection_points(inputs.base)
    checked = supply_projection_points(inputs.checked)
    title = f"STR supply over {PROJECTION_YEARS} years"
    with open_figure() as figure:
        axes = figure.add_subplot()
        years = list(range(len(base)))
        _draw_base_and_checked(
            axes,
            years,
            [point / (1_000_000 * MICRO) for point in base],
            [point / (1_000_000 * MICRO) for point in checked],
            (inputs.base_label, inputs.checked_label),
        )
        axes.set_xticks(years)
        axes.set_xlabel("years since genesis")
        axes.set_ylabel("STR supply (millions)")
        axes.set_title(title)
        axes.legend(frameon=False, loc="upper left")
        svg = figure_to_svg(figure, "plot-supply")
    caption = (
        f"§6.4, §6.9: STR supply at the start of each year. The whitepaper gives no genesis "
        f"supply, so {format_str(GENESIS_SUPPLY_USTR)} STR is assumed. Inflation follows the "
        f"§6.9 schedule ({_describe_inflation(inputs.base, inputs.checked)}). Assumed: each year "
        f"{format_bps(SPEND_SHARE_BPS)} of the supply is spent through the network and the §6.4 "
        f"burn share of that spend (STR burn + swap reserve) is burned: "
        f"{inputs.base_label} {format_bps(compute_burn_share_bps(inputs.base))} of spend = "
        f"{format_bps(get_yearly_burn_bps(inputs.base))} of supply a year, "
        f"{inputs.checked_label} "
        f"{format_bps(compute_burn_share_bps(inputs.checked))} of spend = "
        f"{format_bps(get_yearly_burn_bps(inputs.checked))}. Mint and burn are floored on each "
        f"year's opening supply. Year {PROJECTION_YEARS}: {inputs.base_label} "
        f"{format_str(base[-1])} STR, {inputs.checked_label} {format_str(checked[-1])} STR."
    )
    return Plot(id="plot-supply", title=title, caption=caption, svg=svg)


# --- Exact formatting ---------------------------------------------------------------------------


def format_usd(micro: UsdMicro) -> str:
    """Micro-dollars as dollars, exactly, without trailing zeros: 100_000_000 -> "$100"."""
    sign = "-" if micro < 0 else ""
    whole, fraction = divmod(abs(micro), MICRO)
    digits = f"{fraction:06d}".rstrip("0")
    return f"{sign}${whole:,}" + (f".{digits}" if digits else "")


def format_bps(bps: Bps) -> str:
    """Basis points as a percentage, exactly, without trailing zeros: 1_500 -> "15%"."""
    sign = "-" if bps < 0 else ""
    whole, fraction = divmod(abs(bps), 100)
    digits = f"{fraction:02d}".rstrip("0")
    return f"{sign}{whole:,}" + (f".{digits}" if digits else "") + "%"


def format_str(ustr: UStr) -> str:
    """Micro-STR as whole STR (floored), with thousands separators."""
    return f"{ustr // MICRO:,}"


def _total(rows: tuple[tuple[str, int], ...]) -> int:
    return sum(value for _, value in rows)


def _describe_slashing(params: Params, profile: Profile, points: tuple[SlashPoint, ...]) -> str:
    slashing = params.slashing
    cap = f"cap {format_bps(slashing.slash_cap_bps)}" if profile.slash_capped else "no cap"
    peak = max((point.rate_bps for point in points), default=0)
    return (
        f"base rate {format_bps(slashing.slash_base_bps)}, factor {slashing.slash_factor}, "
        f"{cap}; peak {format_bps(peak)}."
    )


def _describe_inflation(base: Params, checked: Params) -> str:
    def rates(params: Params) -> str:
        return ", ".join(
            f"year {year} {format_bps(compute_inflation_rate_bps(year, params))}"
            for year in range(PROJECTION_YEARS)
        )

    if base.mint == checked.mint:
        return f"{rates(base)}, for both"
    return f"base: {rates(base)}; checked: {rates(checked)}"


def _draw_base_and_checked(
    axes: Axes,
    xs: Sequence[int],
    base: Sequence[float],
    checked: Sequence[float],
    labels: tuple[str, str] = ("base", "checked"),
) -> None:
    # Where the checked parameters equal the base the lines coincide: a wide pale base line
    # under a thin dark checked line keeps both visible.
    axes.plot(
        xs, base, color=BASE_LINE_COLOR, linewidth=5, marker="o", markersize=8, label=labels[0]
    )
    axes.plot(
        xs, checked, color=CHECKED_COLOR, linewidth=1.6, marker="s", markersize=4, label=labels[1]
    )


@contextmanager
def open_figure() -> Iterator[Figure]:
    """A new figure under the fixed rc settings, so its SVG is the same bytes everywhere."""
    # Start from matplotlib's defaults, not the user's matplotlibrc, so bytes match everywhere.
    # matplotlib is imported here, when a plot is drawn: a check without a report folder
    # draws none and starts half a second sooner.
    import matplotlib.style  # noqa: PLC0415
    from matplotlib.figure import Figure  # noqa: PLC0415

    with matplotlib.style.context("default"), matplotlib.rc_context(_RC):
        yield Figure(figsize=FIGURE_SIZE, layout="constrained")


_ID = re.compile(r'\bid="([^"]+)"')
_URL_REF = re.compile(r"url\(#([^)]+)\)")
_HREF_REF = re.compile(r'xlink:href="#([^"]+)"')


def figure_to_svg(figure: Figure, plot_id: str) -> str:
    """`figure` as an `<svg>` element to inline in HTML, its ids prefixed with `plot_id`."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata=_SVG_METADATA)
    text = buffer.getvalue()
    # HTML5 inlines the <svg> element itself; the XML prolog and DOCTYPE belong to files.
    svg = text[text.index("<svg") :]
    # matplotlib numbers ids per figure (figure_1, axes_1, ...): prefix them so the page's
    # three SVGs never share an id and each reference stays inside its own plot.
    svg = _ID.sub(lambda m: f'id="{plot_id}-{m.group(1)}"', svg)
    svg = _URL_REF.sub(lambda m: f"url(#{plot_id}-{m.group(1)})", svg)
    return _HREF_REF.sub(lambda m: f'xlink:href="#{plot_id}-{m.group(1)}"', svg).strip() + "\n"


# --- Safe regions -------------------------------------------------------------------------------

SAFE_COLOR = "#2e8b57"
UNKNOWN_COLOR = "#e0b040"
DOMAIN_COLOR = "#e6e9ee"
VALUE_COLOR = "#b3261e"
BAR_WIDTH, BAR_HEIGHT = 480, 46
"""The inline key bar's size in CSS pixels."""
_BAR_LEFT, _BAR_RIGHT, _BAR_TOP, _BAR_THICK = 8, 472, 14, 14
LOG_SCALE_SPAN = 10**6
"""A domain wider than this is drawn on a logarithmic scale, so small safe sets stay visible."""
REGION_PLOT_SUFFIXES = (".svg", ".png")


def _scale(low: int, high: int) -> tuple[bool, Callable[[int], float]]:
    """Whether the domain `low..high` is drawn on a log scale, and the map from a value to 0..1."""
    span = high - low
    logarithmic = span > LOG_SCALE_SPAN
    if span <= 0:
        return False, lambda value: 0.0
    if logarithmic:
        top = math.log10(span + 1)
        return True, lambda value: math.log10(max(0, value - low) + 1) / top
    return False, lambda value: (value - low) / span


def render_key_bar_svg(region: Mapping[str, Any], *, bar_id: str) -> str:
    """One key as an inline SVG bar: the domain, its safe intervals shaded green, undecided
    ranges amber, the proposed value marked red, and (`range` given) the constitution's range as
    a bracket under the bar. Exact ends are in the text beside it."""
    low, high = int(region["domain"]["low"]), int(region["domain"]["high"])
    logarithmic, where = _scale(low, high)
    width = _BAR_RIGHT - _BAR_LEFT

    def x_of(value: int) -> float:
        return _BAR_LEFT + width * where(value)

    def band(item: Mapping[str, Any], color: str, name: str) -> str:
        left = x_of(int(item["low"]))
        # One value, or a range narrower than a pixel, is still drawn two pixels wide.
        right = max(x_of(int(item["high"]) + (1 if not logarithmic else 0)), left + 2)
        right = min(right, _BAR_RIGHT)
        left = min(left, right - 2)
        return (
            f'<rect x="{left:.2f}" y="{_BAR_TOP}" width="{right - left:.2f}" '
            f'height="{_BAR_THICK}" fill="{color}"><title>{name} '
            f"{item['low']}..{item['high']}</title></rect>"
        )

    value = int(region["value"])
    marker = x_of(value)
    scale = " (log scale)" if logarithmic else ""
    bounds = region.get("range")
    allowed = []
    if bounds is not None:
        # The constitution's range, as a bracket under the bar.
        left = x_of(max(int(bounds["low"]), low))
        right = max(x_of(min(int(bounds["high"]), high)), left + 2)
        under = _BAR_TOP + _BAR_THICK + 3
        allowed.append(
            f'<line x1="{left:.2f}" y1="{under}" x2="{right:.2f}" y2="{under}" '
            f'stroke="#1f2328" stroke-width="2"><title>the constitution\'s range '
            f"{bounds['low']}..{bounds['high']}</title></line>"
        )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="{bar_id}" viewBox="0 0 {BAR_WIDTH} '
        f'{BAR_HEIGHT}" width="{BAR_WIDTH}" height="{BAR_HEIGHT}" role="img" '
        f'aria-label="safe values of {_xml(str(region["key"]))}">',
        f'<rect x="{_BAR_LEFT}" y="{_BAR_TOP}" width="{width}" height="{_BAR_THICK}" '
        f'fill="{DOMAIN_COLOR}" stroke="#8a8f98" stroke-width="0.5"/>',
        *(band(item, SAFE_COLOR, "safe") for item in region.get("safe") or []),
        *(band(item, UNKNOWN_COLOR, "undecided") for item in region.get("unknown") or []),
        *allowed,
        f'<line x1="{marker:.2f}" y1="{_BAR_TOP - 6}" x2="{marker:.2f}" '
        f'y2="{_BAR_TOP + _BAR_THICK + 6}" stroke="{VALUE_COLOR}" stroke-width="2"/>',
        f'<text x="{_BAR_LEFT}" y="{BAR_HEIGHT - 4}" font-size="10" fill="#444c56">{low}</text>',
        f'<text x="{_BAR_RIGHT}" y="{BAR_HEIGHT - 4}" font-size="10" fill="#444c56" '
        f'text-anchor="end">{high}{scale}</text>',
        f'<text x="{min(max(marker, 40.0), _BAR_RIGHT - 40):.2f}" y="10" font-size="10" '
        f'fill="{VALUE_COLOR}" text-anchor="middle">{value}</text>',
        "</svg>",
    ]
    return "\n".join(parts) + "\n"


def _xml(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def _is_wide(domain: Mapping[str, Any]) -> bool:
    return int(domain["high"]) - int(domain["low"]) > LOG_SCALE_SPAN


def _log_ticks(low: int, high: int) -> list[float]:
    """A few ticks for a symmetric-log axis over low..high (>= 0): 0, then every few decades."""
    decades = len(str(max(high, 1))) - 1
    step = max(1, math.ceil(decades / 6))
    ticks = [float(low)] + [float(10**k) for k in range(0, decades + 1, step) if 10**k > low]
    return ticks


def _set_log_axis(axis: Any, low: int, high: int) -> None:
    # Text stays text (no mathtext, `text.parse_math` is off): plain "1e12" labels.
    ticks = _log_ticks(low, high)
    axis.set_ticks(ticks, [f"{tick:g}" for tick in ticks])


def draw_key_region(axes: Axes, document: Mapping[str, Any]) -> None:
    """One key's domain as a horizontal bar, safe intervals shaded, the base value marked (a
    domain wider than `LOG_SCALE_SPAN` on a symmetric log scale, so small sets stay visible)."""
    region = document["region"]
    low, high = int(region["domain"]["low"]), int(region["domain"]["high"])
    axes.broken_barh([(float(low), float(high - low))], (0.3, 0.4), color=DOMAIN_COLOR)
    for items, color, name in (
        (region["safe"], SAFE_COLOR, "safe"),
        (region["unknown"], UNKNOWN_COLOR, "undecided"),
    ):
        if not items:
            continue
        spans = [(float(i["low"]), float(int(i["high"]) - int(i["low"]))) for i in items]
        axes.broken_barh(spans, (0.3, 0.4), color=color, label=name)
        # A single value has no width: a tick keeps it visible.
        points = [float(i["low"]) for i in items if i["low"] == i["high"]]
        if points:
            axes.vlines(points, 0.3, 0.7, color=color, linewidth=3)
    axes.axvline(float(region["value"]), color=VALUE_COLOR, linewidth=1.6, label="value")
    if _is_wide(region["domain"]):
        axes.set_xscale("symlog", linthresh=1)
        _set_log_axis(axes.xaxis, low, high)
    axes.set_xlim(float(low), float(high))
    axes.set_ylim(0, 1.25)
    axes.set_yticks([])
    axes.set_xlabel(str(region["key"]))
    axes.set_title(
        f"Safe values of {region['key']} (profile {document['profile']}), the other keys fixed"
    )
    axes.legend(frameon=False, loc="upper right", fontsize=7, ncols=3)


def draw_pair_region(axes: Axes, document: Mapping[str, Any]) -> None:
    """Two keys' safe map: for each sampled x, its safe y intervals as a vertical stroke (a
    single value as a dot)."""
    for items, color, name in (
        ("safe", SAFE_COLOR, "safe"),
        ("unknown", UNKNOWN_COLOR, "undecided"),
    ):
        xs, lows, highs = [], [], []
        for row in document["rows"]:
            for item in row[items]:
                xs.append(float(row["x"]))
                lows.append(float(item["low"]))
                highs.append(float(item["high"]))
        if xs:
            axes.vlines(xs, lows, highs, color=color, linewidth=6, label=name)
            axes.plot(xs, lows, linestyle="none", marker="s", markersize=4, color=color)
    axes.plot(
        [float(document["value_x"])],
        [float(document["value_y"])],
        marker="x",
        color=VALUE_COLOR,
        markersize=9,
        linestyle="none",
        label="base",
    )
    domain_x, domain_y = document["domain_x"], document["domain_y"]
    for domain, axis, set_scale, set_limits in (
        (domain_x, axes.xaxis, axes.set_xscale, axes.set_xlim),
        (domain_y, axes.yaxis, axes.set_yscale, axes.set_ylim),
    ):
        low, high = int(domain["low"]), int(domain["high"])
        if _is_wide(domain):
            set_scale("symlog", linthresh=1)
            _set_log_axis(axis, low, high)
            set_limits(float(low), float(high))
        else:
            # A little room on each side, so a stroke at a domain's end is not cut in half.
            pad = (high - low) / 50
            set_limits(low - pad, high + pad)
    axes.set_xlabel(f"{document['key_x']} (x)")
    axes.set_ylabel(f"{document['key_y']} (y)")
    axes.set_title(f"Safe values, the other keys fixed (profile {document['profile']})")
    axes.legend(frameon=False, loc="upper right", fontsize=7)


def save_region_plot(document: Mapping[str, Any], suffix: str) -> bytes:
    """The `region` command's plot of `document` as SVG or PNG bytes (`suffix` .svg or .png),
    the same bytes for the same document."""
    if suffix not in REGION_PLOT_SUFFIXES:
        raise PlotError(f"a plot is .svg or .png, not {suffix or 'a file without a suffix'}")
    with open_figure() as figure:
        axes = figure.add_subplot()
        if document["kind"] == "pair":
            draw_pair_region(axes, document)
        else:
            figure.set_size_inches(FIGURE_SIZE[0], 2.0)
            draw_key_region(axes, document)
        buffer = io.BytesIO()
        if suffix == ".svg":
            figure.savefig(buffer, format="svg", metadata=_SVG_METADATA)
        else:
            figure.savefig(buffer, format="png", dpi=100, metadata={"Software": None})
    return buffer.getvalue()
