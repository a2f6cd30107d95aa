"""The safe region of a key: exactly the values that keep every Z3 invariant proved, the others fixed.

For a key K of a checked set, a value v is safe iff every claim of `solver.registry.SET_IDS` is
PROVED for the set with K = v and every other key at its value. Claims that do not read K
(`ParamMode.ADOPTABLE` shows what a claim reads: every parameter it reads is an input there) are
judged once, at the checked set; the others are built once with K the only variable
(`get_region_claim`: the ADOPTABLE claim, every other parameter its numeral), so one query answers
for a whole interval of K:

- "is there a bad value in [lo, hi]" is the claim with lo <= K <= hi: REFUTED names one, and
  bisection on such queries finds the first bad value above a safe one (or the last below);
- "is there a safe value in [lo, hi]" is the query "exists K in [lo, hi] such that for every
  input the claim holds" (a Z3 `ForAll`, one conjunct a claim); where the solver cannot answer it
  (some nonlinear claims), a few probes (the ends, the middle, the checked value) try points,
  and an interval with no safe point found is reported `unknown`, never safe.

Every safe interval is found from a safe value outwards, so each end is PROVED at its value and
its neighbour is REFUTED (by the first refuted invariant, catalogue order) or lies outside the
key's domain. The queries are internal (not exported): each is translated into a fresh Z3
context for the general solver, seeded as every solver of the package (`solver.prove`), and
cached per (claim, interval) within one region, so a region is the same in every run.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import z3
from attrs import frozen

from model.params import WHITEPAPER_PARAMS, Params, get_param_by_name, param_specs, with_values
from model.profile import Profile
from solver.claim import Claim, ParamMode, ProofStatus
from solver.prove import (
    DEFAULT_SETTINGS,
    SolverSettings,
    build_query,
    get_milliseconds,
    make_solver,
)
from solver.registry import CLAIM_BUILDERS, SET_IDS
from solver.safety import get_param_inputs, substitute_params
from solver.terms import get_free_constants

_SPECS = {spec.name: spec for spec in param_specs()}

PROBES = 5
"""Points tried in an interval where the solver cannot say whether it holds a safe value."""

MAX_QUERIES = 2_000
"""Queries one region may spend; what is left undecided past it is reported `unknown`."""


@frozen
class Interval:
    """The integers low..high, both ends included."""

    low: int
    high: int

    def __contains__(self, value: object) -> bool:
        return isinstance(value, int) and self.low <= value <= self.high


@frozen
class End:
    """The evidence for one end of a safe interval."""

    value: int
    """The end value, PROVED safe."""
    neighbour: int | None
    """The value just outside (None: a bound of the key's domain)."""
    refuted_by: str | None
    """The invariant ID refuted at `neighbour` (None: a domain bound, or undecided there)."""


@frozen
class KeyRegion:
    """The safe values of one key, the other keys at their values in the checked set."""

    key: str
    """"subspace.key"."""
    value: int
    """The key's value in the checked set."""
    domain: Interval
    """The key's domain (`model.params`: minimum..maximum)."""
    safe: tuple[Interval, ...]
    """Sorted and disjoint: exactly the values under which every Z3-checked invariant is PROVED."""
    ends: tuple[tuple[End, End], ...]
    """Per safe interval: (low end, high end) evidence."""
    breaks: tuple[str, ...]
    """IDs refuted at `value` (empty when it is safe)."""
    unknown: tuple[Interval, ...]
    """Ranges the solver could not decide (never counted safe)."""
    milliseconds: int
    """The solver's own time over every query of the region."""
    fixed_breaks: tuple[str, ...] = ()
    """IDs that do not read the key and are refuted (or undecided) at the checked set: no value
    of the key is safe while they are."""
    queries: int = 0
    """How many queries the region took."""


@frozen
class PairRegion:
    """The safe set of `key_y` for sampled values of `key_x`, every other key fixed."""

    key_x: str
    key_y: str
    value_x: int
    value_y: int
    rows: tuple[tuple[int, KeyRegion], ...]
    """For each sampled x value: the exact safe set of y with x fixed."""
    milliseconds: int


# --- The claims of a key --------------------------------------------------------------------


@cache
def get_reads(profile: Profile) -> dict[str, frozenset[str]]:
    """Invariant ID -> the parameters its claim reads (the inputs of its ADOPTABLE claim, where
    no key keeps a stated value)."""
    return {
        invariant_id: frozenset(
            get_param_inputs(CLAIM_BUILDERS[invariant_id](WHITEPAPER_PARAMS, profile, _ADOPTABLE))
        )
        for invariant_id in SET_IDS
    }


_ADOPTABLE = ParamMode.ADOPTABLE


def get_region_claim(
    invariant_id: str, params: Params, profile: Profile, keys: Sequence[str]
) -> Claim:
    """`invariant_id`'s claim with `keys` variables over their domains and every other parameter
    its value in `params` (the ADOPTABLE claim with the others substituted)."""
    claim = CLAIM_BUILDERS[invariant_id](params, profile, ParamMode.ADOPTABLE)
    values = {
        name: get_param_by_name(params, name)
        for name in get_param_inputs(claim)
        if name not in keys
    }
    return substitute_params(claim, values)


@frozen
class Answer:
    """What the solver said of one region query."""

    status: ProofStatus
    """PROVED: no value of the query is bad (or, for "a safe value", none is safe); REFUTED: the
    key's `value` is one; UNKNOWN: undecided."""
    value: int | None
    milliseconds: int


def solve(formulas: Sequence[z3.BoolRef], key: str, settings: SolverSettings) -> Answer:
    """Whether `formulas` have a model, in a fresh context of Z3's general solver (seeded as
    every solver of the package, so the answer depends on the formulas alone); if so, the value
    of `key` in it (none for an empty `key`)."""
    context = z3.Context()
    solver = make_solver(None, settings, context)
    for formula in formulas:
        solver.add(formula.translate(context))
    answer = solver.check()
    milliseconds = get_milliseconds(solver)
    if answer == z3.unsat:
        return Answer(ProofStatus.PROVED, None, milliseconds)
    if answer == z3.sat:
        if not key:
            return Answer(ProofStatus.REFUTED, None, milliseconds)
        value = solver.model().eval(z3.Int(key, context), model_completion=True)
        return Answer(ProofStatus.REFUTED, int(value.as_long()), milliseconds)
    return Answer(ProofStatus.UNKNOWN, None, milliseconds)


def get_for_all(queries: Sequence[Sequence[z3.BoolRef]], key: str) -> z3.BoolRef:
    """ "Every claim holds for all its other inputs" at the value of `key`: per claim, for all
    its constants but the key, its assumptions imply its goal (`queries`: each claim's
    assumptions and negated goal)."""
    bodies = []
    for query in queries:
        body = z3.Implies(z3.And(*query[:-1]), z3.Not(query[-1]))
        constants = _constants(query, exclude=key)
        bodies.append(z3.ForAll(constants, body) if constants else body)
    return z3.And(*bodies)


def _constants(formulas: Sequence[z3.ExprRef], *, exclude: str) -> list[z3.ExprRef]:
    """The free constants of `formulas` but `exclude`, sorted by name."""
    found = get_free_constants(formulas)
    return [found[name] for name in sorted(found) if name != exclude]


class _Prepared:
    """The claims of one parameter set with some keys left variables, each built and folded once
    (when first asked for), and the answers of those that read none of them."""

    def __init__(
        self, params: Params, profile: Profile, free: Sequence[str], settings: SolverSettings
    ) -> None:
        self.params = params
        self.profile = profile
        self.free = tuple(free)
        self.settings = settings
        self.reads = get_reads(profile)
        self._queries: dict[str, tuple[z3.BoolRef, ...]] = {}

    def get_query(self, invariant_id: str, pinned: Sequence[z3.BoolRef]) -> tuple[z3.BoolRef, ...]:
        """`invariant_id`'s assumptions, `pinned`, and its negated goal (last)."""
        if invariant_id not in self._queries:
            claim = get_region_claim(invariant_id, self.params, self.profile, self.free)
            self._queries[invariant_id] = build_query(claim)
        query = self._queries[invariant_id]
        return (*query[:-1], *pinned, query[-1])

    def is_broken(self, invariant_id: str, pinned: Sequence[z3.BoolRef]) -> tuple[bool, int]:
        """Whether `invariant_id` is not PROVED with the free keys as `pinned` sets them, and
        the solver's time (0 for an answer known already: a claim that reads no free key)."""
        constant = not self.reads[invariant_id] & set(self.free)
        index = (self.params, self.profile, self.settings, invariant_id)
        if constant and index in _CONSTANT_ANSWERS:
            return _CONSTANT_ANSWERS[index].status is not ProofStatus.PROVED, 0
        answer = solve(self.get_query(invariant_id, () if constant else pinned), "", self.settings)
        if constant:
            _CONSTANT_ANSWERS[index] = answer
        return answer.status is not ProofStatus.PROVED, answer.milliseconds


_CONSTANT_ANSWERS: dict[tuple[Params, Profile, SolverSettings, str], Answer] = {}
"""The answer of each claim that reads none of a search's free keys, per parameter set, profile
and solver settings: the same for every key searched on that set (a proposal's changed keys, one
after the other), so it is asked once per process."""


class _Search:
    """One key's region search: its claims, the query cache and the time spent."""

    def __init__(
        self,
        key: str,
        prepared: _Prepared,
        pinned: Sequence[z3.BoolRef] = (),
    ) -> None:
        self.key = key
        self.settings = prepared.settings
        self.ids = tuple(i for i in SET_IDS if key in prepared.reads[i])
        self.term = z3.Int(key)
        self.formulas = {i: prepared.get_query(i, pinned) for i in self.ids}
        """Per claim that reads the key: its assumptions (the pinned keys' values among them)
        and negated goal, constants folded."""
        self.cache: dict[tuple[str, int, int], Answer] = {}
        self.refuted_at: dict[str, list[int]] = {}
        """Per claim, the values it is known refuted at."""
        self.proved: dict[str, list[Interval]] = {}
        """Per claim, the intervals it is known PROVED on."""
        self.last = ""
        """The claim that refuted last (asked first)."""
        self.milliseconds = 0
        self.queries = 0

    def run(self, formulas: Sequence[z3.BoolRef]) -> Answer:
        self.queries += 1
        answer = solve(formulas, self.key, self.settings)
        self.milliseconds += answer.milliseconds
        return answer

    def ask(self, invariant_id: str, low: int, high: int) -> Answer:
        """`invariant_id` for every value of the key in low..high (cached)."""
        index = (invariant_id, low, high)
        if index not in self.cache:
            bounds = (low <= self.term, self.term <= high)
            self.cache[index] = self.run((*self.formulas[invariant_id], *bounds))
        return self.cache[index]

    def exhausted(self) -> bool:
        return self.queries >= MAX_QUERIES

    def find_bad(self, low: int, high: int) -> int | ProofStatus | None:
        """A value in low..high some claim is refuted at, None if every claim is PROVED there,
        UNKNOWN if none is refuted and one is undecided. The claim that refuted last is asked
        first, and one refutation is enough."""
        undecided = False
        for invariant_id in sorted(self.ids, key=lambda i: i != self.last):
            found = self.get_bad(invariant_id, low, high)
            if isinstance(found, int):
                self.last = invariant_id
                return found
            undecided = undecided or found is ProofStatus.UNKNOWN
        return ProofStatus.UNKNOWN if undecided else None

    def get_bad(self, invariant_id: str, low: int, high: int) -> int | ProofStatus:
        """A value in low..high `invariant_id` is refuted at, or PROVED, or UNKNOWN; answered
        from what is known (a refuted value inside, a proved interval around) where it can."""
        for value in self.refuted_at.setdefault(invariant_id, []):
            if low <= value <= high:
                return value
        for proved in self.proved.setdefault(invariant_id, []):
            if proved.low <= low and high <= proved.high:
                return ProofStatus.PROVED
        answer = self.ask(invariant_id, low, high)
        if answer.value is not None:
            self.refuted_at[invariant_id].append(answer.value)
            return answer.value
        if answer.status is ProofStatus.PROVED:
            self.proved[invariant_id].append(Interval(low, high))
        return answer.status

    def get_breaks(self, value: int) -> tuple[tuple[str, ...], bool]:
        """The IDs refuted at `value` (catalogue order), and whether any is undecided there."""
        broken = []
        undecided = False
        for invariant_id in self.ids:
            found = self.get_bad(invariant_id, value, value)
            if isinstance(found, int):
                broken.append(invariant_id)
            elif found is ProofStatus.UNKNOWN:
                undecided = True
        return tuple(broken), undecided

    def is_safe(self, value: int) -> bool:
        broken, undecided = self.get_breaks(value)
        return not broken and not undecided

    def find_edge(self, safe: int, limit: int) -> tuple[int, End, Interval | None]:
        """From the safe value `safe` towards `limit` (either side): the last value of its safe
        run, that end's evidence, and a range left undecided past it (where the solver gave
        up, or the query budget ran out). Bisection: `near` is the first value not yet known
        safe, `bad` the nearest value past it known refuted (or one past `limit`)."""
        step = 1 if limit >= safe else -1
        near = safe + step
        if (limit - near) * step < 0:
            return safe, End(safe, None, None), None
        bad, known = limit + step, False
        far = limit
        while not self.exhausted():
            found = self.find_bad(min(near, far), max(near, far))
            if found is None:
                near = far + step
                if near == bad:
                    end = bad - step
                    return end, (self._end(end, bad) if known else End(end, None, None)), None
                far = near + _half(bad - step - near) if known else bad - step
                continue
            if isinstance(found, ProofStatus):
                if near == far:
                    rest = (near, bad - step)
                    return near - step, End(near - step, near, None), Interval(*sorted(rest))
                far = near + _half(far - near)
                continue
            bad, known = found, True
            if bad == near:
                return near - step, self._end(near - step, bad), None
            far = near + _half(bad - step - near)
        rest = (near, bad - step)
        return near - step, End(near - step, near, None), Interval(*sorted(rest))

    def _end(self, value: int, neighbour: int) -> End:
        broken, _ = self.get_breaks(neighbour)
        return End(value, neighbour, broken[0] if broken else None)

    def find_safe(self, low: int, high: int, hint: int | None) -> int | ProofStatus | None:
        """A safe value in low..high (the hint first), None if there is none, UNKNOWN if the
        solver cannot tell and no probe finds one."""
        if hint is not None and low <= hint <= high and self.is_safe(hint):
            return hint
        every = get_for_all([self.formulas[i] for i in self.ids], self.key)
        answer = self.run((low <= self.term, self.term <= high, every))
        if answer.value is not None:
            if self.is_safe(answer.value):
                return answer.value
        elif answer.status is ProofStatus.PROVED:
            return None
        for probe in _probes(low, high):
            if self.exhausted():
                break
            if self.is_safe(probe):
                return probe
        return ProofStatus.UNKNOWN


def _half(distance: int) -> int:
    """Half of `distance`, rounded towards zero."""
    return distance // 2 if distance >= 0 else -((-distance) // 2)


def _probes(low: int, high: int) -> list[int]:
    """PROBES points spread over low..high, both ends included."""
    if high - low + 1 <= PROBES:
        return list(range(low, high + 1))
    span = high - low
    return sorted({low + span * n // (PROBES - 1) for n in range(PROBES)})


def _get_fixed_breaks(
    search: _Search, prepared: _Prepared, pinned: Sequence[z3.BoolRef]
) -> tuple[str, ...]:
    """The IDs that do not read the search's key and are not PROVED at the checked set."""
    broken = []
    for invariant_id in SET_IDS:
        if invariant_id in search.ids:
            continue
        is_broken, milliseconds = prepared.is_broken(invariant_id, pinned)
        search.milliseconds += milliseconds
        if is_broken:
            broken.append(invariant_id)
    return tuple(broken)


def get_key_region(
    params: Params,
    profile: Profile,
    key: str,
    *,
    settings: SolverSettings = DEFAULT_SETTINGS,
) -> KeyRegion:
    """The exact safe set of `key` ("subspace.key"), every other key at its value in `params`."""
    prepared = _Prepared(params, profile, (key,), settings)
    return _get_region(key, get_param_by_name(params, key), prepared, ())


def _get_region(
    key: str, value: int, prepared: _Prepared, pinned: Sequence[z3.BoolRef]
) -> KeyRegion:
    """The exact safe set of `key`, the claims `prepared` with the other free keys `pinned`."""
    spec = _SPECS[key]
    domain = Interval(spec.minimum, spec.maximum)
    search = _Search(key, prepared, pinned)
    fixed = _get_fixed_breaks(search, prepared, pinned)
    breaks, _ = search.get_breaks(value)
    safe: list[tuple[Interval, tuple[End, End]]] = []
    unknown: list[Interval] = []
    if fixed:
        return KeyRegion(
            key=key,
            value=value,
            domain=domain,
            safe=(),
            ends=(),
            breaks=(*fixed, *breaks),
            unknown=(),
            milliseconds=search.milliseconds,
            fixed_breaks=fixed,
            queries=search.queries,
        )
    gaps = [domain]
    while gaps:
        gap = gaps.pop()
        if search.exhausted():
            unknown.append(gap)
            continue
        found = search.find_safe(gap.low, gap.high, value)
        if found is None:
            continue
        if isinstance(found, ProofStatus):
            unknown.append(gap)
            continue
        high, high_end, high_rest = search.find_edge(found, gap.high)
        low, low_end, low_rest = search.find_edge(found, gap.low)
        safe.append((Interval(low, high), (low_end, high_end)))
        for rest in (low_rest, high_rest):
            if rest is not None:
                unknown.append(rest)
        if low_end.neighbour is not None:
            below = low_end.neighbour - 1 if low_rest is None else low_rest.low - 1
            if below >= gap.low:
                gaps.append(Interval(gap.low, below))
        if high_end.neighbour is not None:
            above = high_end.neighbour + 1 if high_rest is None else high_rest.high + 1
            if above <= gap.high:
                gaps.append(Interval(above, gap.high))
    safe.sort(key=lambda item: item[0].low)
    return KeyRegion(
        key=key,
        value=value,
        domain=domain,
        safe=tuple(interval for interval, _ in safe),
        ends=tuple(ends for _, ends in safe),
        breaks=breaks,
        unknown=tuple(sorted(unknown, key=lambda interval: interval.low)),
        milliseconds=search.milliseconds,
        queries=search.queries,
    )


def get_samples(domain: Interval, value: int, samples: int) -> tuple[int, ...]:
    """`samples` values spread evenly over `domain` (every value of a smaller one), and
    `value`."""
    if domain.high - domain.low + 1 <= samples:
        return tuple(range(domain.low, domain.high + 1))
    span = domain.high - domain.low
    points = {domain.low + span * n // max(samples - 1, 1) for n in range(samples)}
    points.add(value)
    return tuple(sorted(points))


def get_pair_region(
    params: Params,
    profile: Profile,
    key_x: str,
    key_y: str,
    *,
    samples: int = 21,
    settings: SolverSettings = DEFAULT_SETTINGS,
    xs: Sequence[int] | None = None,
) -> PairRegion:
    """The safe set of `key_y` at each of `samples` values of `key_x` (spread over its domain,
    and its value in `params`), or at each of `xs` when given (a sweep's own values), every
    other key at its value in `params`."""
    spec_x = _SPECS[key_x]
    value_x = get_param_by_name(params, key_x)
    value_y = get_param_by_name(params, key_y)
    # Every claim is built once with both keys variables; a row pins x by one more assumption.
    prepared = _Prepared(params, profile, (key_x, key_y), settings)
    rows = []
    chosen = get_samples(Interval(spec_x.minimum, spec_x.maximum), value_x, samples)
    for x in chosen if xs is None else tuple(sorted(set(xs))):
        rows.append((x, _get_region(key_y, value_y, prepared, (z3.Int(key_x) == x,))))
    return PairRegion(
        key_x=key_x,
        key_y=key_y,
        value_x=value_x,
        value_y=value_y,
        rows=tuple(rows),
        milliseconds=sum(region.milliseconds for _, region in rows),
    )


def get_repairs(
    params: Params,
    profile: Profile,
    key: str,
    value: int,
    *,
    settings: SolverSettings = DEFAULT_SETTINGS,
) -> tuple[tuple[str, Interval], ...]:
    """With `key` at `value`: each other key every refuted invariant reads, with each interval of
    its values that makes every Z3 invariant PROVED (that key alone changed too). Empty if
    `value` breaks nothing, or nothing one more key can change repairs it.

    Only a key that every refuted invariant reads can be a repair: a query that does not read a
    key gives the same answer whatever its value, so an invariant refuted with the key at one
    value is refuted at all of them. The other keys' safe sets would all be empty; leaving them
    out gives the same repairs at a fraction of the queries (GOV-PARAMS reads every key)."""
    spec = _SPECS[key]
    changed = with_values(params, {(spec.subspace, spec.key): value})
    prepared = _Prepared(changed, profile, (key,), settings)
    search = _Search(key, prepared)
    broken, _ = search.get_breaks(value)
    broken = (*_get_fixed_breaks(search, prepared, ()), *broken)
    reads = get_reads(profile)
    if not broken:
        return ()
    shared = set.intersection(*(set(reads[invariant_id]) for invariant_id in broken))
    candidates = sorted(shared - {key}, key=list(_SPECS).index)
    repairs = []
    for other in candidates:
        region = get_key_region(changed, profile, other, settings=settings)
        repairs += [(other, interval) for interval in region.safe]
    return tuple(repairs)
