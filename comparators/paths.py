"""Field paths: JSON Pointers to report a difference, wildcard patterns to say where a rule applies.

A pointer is RFC 6901 (``/body/data/3/status``; ``~0`` is ``~``, ``~1`` is ``/``). A pattern is a pointer
whose tokens may be ``*`` (exactly one level: any object key or array index) or ``**`` (any number of
levels, none included): ``/data/*/created_at``, ``/**/updated_at``, ``/**`` (every node, the root too),
``""`` (the root only). Patterns compile once into a small automaton; ``transform`` walks a document and
visits only the branches a pattern can still reach.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any, Final

__all__ = [
    "REMOVE",
    "PathPattern",
    "PathSet",
    "escape_token",
    "generalize_pointer",
    "join_pointer",
    "split_pointer",
    "transform",
]


class _Remove:
    def __repr__(self) -> str:
        return "REMOVE"


REMOVE: Final = _Remove()  # returned by a transform callback to delete the visited member or element

State = frozenset[int]


def escape_token(token: str | int) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def join_pointer(base: str, token: str | int) -> str:
    return f"{base}/{escape_token(token)}"


def split_pointer(pointer: str) -> list[str]:
    """``""`` → ``[]``, ``"/a/b~1c"`` → ``["a", "b/c"]``; anything not starting with ``/`` is refused."""
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise ValueError(f"not a JSON pointer (must be empty or start with '/'): {pointer!r}")
    return [token.replace("~1", "/").replace("~0", "~") for token in pointer[1:].split("/")]


_INDEX_OR_REF = re.compile(r"(?<=/)(?:\d+|<uuid:\d+>)(?=/|$)")


def generalize_pointer(pointer: str) -> str:
    """The same field at another array index, or of another numbered entity, is the same field:
    ``/body/data/3/status`` → ``/body/data/*/status``, ``/stream/entities/TASK:<uuid:2>`` keeps its text
    but ``/stream/<uuid:2>/x`` → ``/stream/*/x``."""
    return _INDEX_OR_REF.sub("*", pointer)


class PathPattern:
    """One compiled pattern. States are sets of token positions; position ``len(tokens)`` accepts."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: tuple[str, ...] = tuple(split_pointer(text))
        self._literals = frozenset(t for t in self.tokens if t not in ("*", "**"))
        self._memo: dict[tuple[State, str | None], State] = {}
        self.initial: State = self._closure({0})

    def __repr__(self) -> str:
        return f"PathPattern({self.text!r})"

    @property
    def everywhere(self) -> bool:
        """True for ``/**``: every node of the document."""
        return self.tokens == ("**",)

    @property
    def anywhere_key(self) -> str | None:
        """``"created_at"`` for ``/**/created_at`` (a member of that name at any depth), else None."""
        if len(self.tokens) == 2 and self.tokens[0] == "**" and self.tokens[1] in self._literals:
            return self.tokens[1]
        return None

    def _closure(self, positions: set[int]) -> State:
        result = set()
        for position in positions:
            while True:
                result.add(position)
                if position < len(self.tokens) and self.tokens[position] == "**":
                    position += 1
                    continue
                break
        return frozenset(result)

    def step(self, state: State, token: str) -> State:
        # Only the literals of this pattern can make tokens behave differently, which bounds the memo.
        key = token if token in self._literals else None
        cached = self._memo.get((state, key))
        if cached is not None:
            return cached
        reached: set[int] = set()
        for position in state:
            if position == len(self.tokens):
                continue
            wanted = self.tokens[position]
            if wanted == "**":
                reached.add(position)
            elif wanted == "*" or wanted == key:
                reached.add(position + 1)
        result = self._closure(reached)
        self._memo[(state, key)] = result
        return result

    def accepts(self, state: State) -> bool:
        return len(self.tokens) in state

    def matches(self, pointer: str) -> bool:
        state = self.initial
        for token in split_pointer(pointer):
            state = self.step(state, token)
            if not state:
                return False
        return self.accepts(state)


class PathSet:
    """A union of patterns, walked together (a node is selected when any pattern accepts it)."""

    def __init__(self, patterns: Sequence[str | PathPattern]) -> None:
        self.patterns = tuple(p if isinstance(p, PathPattern) else PathPattern(p) for p in patterns)
        self.initial: tuple[State, ...] = tuple(p.initial for p in self.patterns)

    def __repr__(self) -> str:
        return f"PathSet({[p.text for p in self.patterns]!r})"

    def step(self, state: tuple[State, ...], token: str) -> tuple[State, ...]:
        return tuple(p.step(s, token) for p, s in zip(self.patterns, state, strict=True))

    def accepts(self, state: tuple[State, ...]) -> bool:
        return any(p.accepts(s) for p, s in zip(self.patterns, state, strict=True))

    def matches(self, pointer: str) -> bool:
        return any(p.matches(pointer) for p in self.patterns)


def transform(doc: Any, paths: PathSet, fn: Callable[[Any], Any]) -> Any:
    """Replace every selected node by ``fn(node)`` (children before parents), **in place** where the
    containers allow it; returns the new root. ``fn`` may return ``REMOVE`` to delete a member/element
    (the root itself cannot be removed: it becomes None)."""
    result = _visit(doc, paths, paths.initial, fn)
    return None if result is REMOVE else result


def _visit(node: Any, paths: PathSet, state: tuple[State, ...], fn: Callable[[Any], Any]) -> Any:
    if isinstance(node, dict):
        for key in list(node):
            child_state = paths.step(state, key)
            if not any(child_state):
                continue
            child = node[key]
            new = _visit(child, paths, child_state, fn)
            if new is REMOVE:
                del node[key]
            elif new is not child:
                node[key] = new
    elif isinstance(node, list):
        removed = []
        for index, child in enumerate(node):
            child_state = paths.step(state, str(index))
            if not any(child_state):
                continue
            new = _visit(child, paths, child_state, fn)
            if new is REMOVE:
                removed.append(index)
            elif new is not child:
                node[index] = new
        for index in reversed(removed):
            del node[index]
    return fn(node) if paths.accepts(state) else node
