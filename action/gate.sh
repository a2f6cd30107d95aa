#!/usr/bin/env bash
# The governance gate that action.yml runs (tests run this same file): check every proposal the
# change touches, and fail closed. A missing base, a git error or a touched file under the
# proposal paths that is not a proposal exits 2; it is never read as "no proposal changed".
#
# Environment (all optional but the base):
#   STRATOVERIFY_BASE   the commit (or branch of origin) to compare HEAD with
#   STRATOVERIFY_PATHS  where proposals live, git globs from the repository root, space-separated
#                       (default: proposals/**/*.json)
#   STRATOVERIFY_ARGS   more arguments for `stratoverify check`, space-separated (default: none,
#                       the full check)
#   STRATOVERIFY_OUT    the report folder (default: stratoverify-report)
#   STRATOVERIFY_BIN    the folder holding the `python` and `stratoverify` to run (default: PATH)
# Exit code: that of `stratoverify check` (0 pass, 1 fail, 2 bad input, 3 inconclusive,
# 4 internal error), 0 when no proposal changed, 2 when the changed proposals cannot be told.
# See docs/guide.md, "Gating governance proposals in CI".
set -euo pipefail
trap 'echo "stratoverify gate: unexpected error (line $LINENO)" >&2; exit 2' ERR

fail() {
    echo "stratoverify gate: $*" >&2
    exit 2
}

output() {
    if [ -n "${GITHUB_OUTPUT:-}" ]; then
        printf '%s=%s\n' "$1" "$2" >>"$GITHUB_OUTPUT"
    fi
}

summary() {
    if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
        printf '%s\n' "$1" >>"$GITHUB_STEP_SUMMARY"
    fi
}

base=${STRATOVERIFY_BASE:-}
paths=${STRATOVERIFY_PATHS:-proposals/**/*.json}
out=${STRATOVERIFY_OUT:-stratoverify-report}
bin=${STRATOVERIFY_BIN:-}
python=${bin:+$bin/}python
stratoverify=${bin:+$bin/}stratoverify
read -r -a patterns <<<"$paths"
read -r -a extra <<<"${STRATOVERIFY_ARGS:-}"

[ -n "$base" ] || fail "no base to compare with: set the action's 'base' input (on pull_request events it is the pull request's base commit)"
[ ${#patterns[@]} -gt 0 ] || fail "no proposal paths: set the action's 'paths' input"
git rev-parse --git-dir >/dev/null 2>&1 || fail "$PWD is not a git checkout"

# actions/checkout clones one commit: fetch the base commit alone rather than read its absence
# as an empty change.
if ! git rev-parse --verify --quiet --end-of-options "$base^{commit}" >/dev/null; then
    echo "stratoverify gate: fetching the base $base from origin" >&2
    if ! said=$(git fetch --quiet --no-tags --depth=1 origin "$base" 2>&1); then
        fail "cannot fetch the base $base from origin: ${said##*$'\n'}"
    fi
    base=$(git rev-parse --verify --quiet "FETCH_HEAD^{commit}") || fail "fetching the base gave no commit"
fi

# -P: never import the checked repository's own modules in place of the tool's.
listing=$(mktemp)
"$python" -P -m reports.changed --base "$base" --paths "${patterns[@]}" -z >"$listing" ||
    fail "the changed proposals could not be told (see the line above)"
mapfile -d '' -t proposals <"$listing"
rm -f "$listing"
if [ ${#proposals[@]} -eq 0 ]; then
    message="stratoverify: no proposal changed since ${base:0:12} (paths: $paths)"
    echo "$message"
    summary "$message"
    output proposals 0
    output exit-code 0
    exit 0
fi

printf 'stratoverify gate: checking %s\n' "${proposals[@]}"
output proposals "${#proposals[@]}"
code=0
"$stratoverify" check "${proposals[@]}" --out "$out" --sarif-root "${GITHUB_WORKSPACE:-$PWD}" \
    "${extra[@]}" || code=$?
# A verdict (pass, fail, inconclusive) writes the reports; bad input and a broken tool write none,
# so a SARIF log left from an earlier run is never uploaded as this one's.
case "$code" in
0 | 1 | 3) [ ! -f "$out/report.sarif" ] || output sarif "$out/report.sarif" ;;
esac
output report-dir "$out"
output exit-code "$code"
exit "$code"
