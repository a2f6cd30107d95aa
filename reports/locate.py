"""Where each value of a JSON text is written: a path such as `("changes", 0, "value")` to a line.

The stdlib decoder gives values but no positions, and reports need the line a proposal sets a
parameter on (SARIF locations, annotations), and errors the place of a duplicated key. This
walker reads text the decoder has accepted, skipping strings with the decoder's own `scanstring`
so escaped quotes and keys repeated inside strings cannot mislead it; it keeps its own stack.
"""

from __future__ import annotations

import bisect
import re

# typeshed leaves out scanstring, the decoder's own string reader (C-accelerated, stable since 2.6).
from json.decoder import scanstring  # type: ignore[attr-defined]

from reports.param_documents import show_name

JsonPath = tuple[str | int, ...]
"""Object keys and list indexes from the document's root to one value."""

_SPACE = re.compile(r"[ \t\n\r]*")
_SCALAR = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?|true|false|null")
# A lone CR ends a line for editors and SARIF viewers as much as LF and CRLF do.
_LINE_END = re.compile(r"\r\n|\r|\n")


class LocateError(ValueError):
    """Raised when the text is not JSON; callers locate only text the decoder has accepted."""


def compute_line_map(text: str) -> dict[JsonPath, int]:
    """The 1-based line of every value in the JSON `text`; an object member's line is its key's."""
    walker = _Walker(text, record=True)
    walker.walk()
    return walker.found


def find_duplicate_key(text: str) -> tuple[JsonPath, int] | None:
    """The path and line of the first key written a second time in one object, if there is one."""
    walker = _Walker(text, record=False)
    walker.walk()
    return walker.duplicate


def format_json_path(path: JsonPath) -> str:
    """A path as messages write it: `messages[0].params.str_burn_bps`."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{show_name(part)}"
    return text.lstrip(".") or "the document"


class _Frame:
    """An open container: whether it is an object, its current member, what it has seen."""

    __slots__ = ("index", "is_object", "keys", "member")

    def __init__(self, *, is_object: bool) -> None:
        self.is_object = is_object
        self.member: str | int = -1
        self.index = -1
        self.keys: set[str] = set()


class _Lines:
    """Offsets where each line starts, to turn an offset into a 1-based line number."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [match.end() for match in _LINE_END.finditer(text)]

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)


class _Walker:
    """One pass over the text: `position` moves forward, `frames` holds the open containers.

    Paths are built from the frames only when a line is recorded, so a hostile text (wide and
    deep at once) costs the duplicate search no more than one pass.
    """

    def __init__(self, text: str, *, record: bool) -> None:
        self.text = text
        self.lines = _Lines(text)
        self.record = record
        self.found: dict[JsonPath, int] = {}
        self.duplicate: tuple[JsonPath, int] | None = None
        self.frames: list[_Frame] = []
        self.position = 0

    def walk(self) -> None:
        self.skip_space()
        self.note_value()
        more = True
        while more:
            more = self.enter_value() or self.leave_values()
            if self.duplicate is not None:
                return
        if self.position != len(self.text):
            raise LocateError(f"extra text at offset {self.position}")

    def enter_value(self) -> bool:
        """Read the start of a value: True if it opens a container with a first member."""
        char = self.text[self.position : self.position + 1]
        if char in ("{", "["):
            closing = "}" if char == "{" else "]"
            self.position += 1
            self.skip_space()
            if self.text.startswith(closing, self.position):
                self.position += 1
                return False
            self.frames.append(_Frame(is_object=char == "{"))
            self.start_member()
            return True
        if char == '"':
            self.position = _scan_string(self.text, self.position)[1]
            return False
        match = _SCALAR.match(self.text, self.position)
        if match is None:
            raise LocateError(f"no JSON value at offset {self.position}")
        self.position = match.end()
        return False

    def leave_values(self) -> bool:
        """After a value: close the containers it ends; True if another value follows."""
        while self.frames:
            self.skip_space()
            frame = self.frames[-1]
            char = self.text[self.position : self.position + 1]
            if char == ",":
                self.position += 1
                self.skip_space()
                self.start_member()
                return True
            if char != ("}" if frame.is_object else "]"):
                raise LocateError(f"expected ',' or a closing bracket at offset {self.position}")
            self.frames.pop()
            self.position += 1
        self.skip_space()
        return False

    def start_member(self) -> None:
        """At the next member of the innermost container: note its key or index, and its line."""
        frame = self.frames[-1]
        if not frame.is_object:
            frame.index += 1
            frame.member = frame.index
            self.note_value()
            return
        if not self.text.startswith('"', self.position):
            raise LocateError(f"expected a key at offset {self.position}")
        key, end = _scan_string(self.text, self.position)
        frame.member = key
        if key in frame.keys and self.duplicate is None:
            self.duplicate = (self.path(), self.lines.line_of(self.position))
        frame.keys.add(key)
        self.note_value()
        self.position = end
        self.skip_space()
        if not self.text.startswith(":", self.position):
            raise LocateError(f"expected ':' at offset {self.position}")
        self.position += 1
        self.skip_space()

    def note_value(self) -> None:
        if self.record:
            self.found[self.path()] = self.lines.line_of(self.position)

    def path(self) -> JsonPath:
        return tuple(frame.member for frame in self.frames)

    def skip_space(self) -> None:
        match = _SPACE.match(self.text, self.position)
        if match is not None:
            self.position = match.end()


def _scan_string(text: str, position: int) -> tuple[str, int]:
    try:
        value, end = scanstring(text, position + 1)
    except ValueError as error:  # json.JSONDecodeError: unterminated or with a bad escape
        raise LocateError(f"bad string at offset {position}: {error}") from None
    return str(value), int(end)
