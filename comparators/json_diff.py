"""Where two normalized JSON documents differ, as our ``Diff`` list. The only module importing DeepDiff.

1. Equality fast path: canonical bytes (orjson, sorted keys) equal → no differences, and no DeepDiff call.
2. Otherwise descend while the shapes agree. Objects: absent members are MISSING/EXTRA, members present
   on both sides are visited only when their canonical forms differ. Leaves: VALUE, TYPE, or FORMAT when a
   mask token (``<ts>``, ``<uuid:n>``) faces something of another format.
3. Arrays: elements are compared by their canonical bytes. When both arrays hold the same elements in
   another order, that is one ORDER difference at the array (elements are compared with UUID references
   collapsed, because first-appearance numbering follows document order and renumbers on a reorder).
   When the lengths differ (LENGTH) or several elements changed, DeepDiff aligns the two sequences of
   element digests in order (fixed options, cheap: it only sees short strings) and tells which elements
   are MISSING, EXTRA or changed; changed pairs are descended into.

A pure permutation is recognised by comparing the sorted element forms, which for JSON is exactly the
multiset equality DeepDiff's ``ignore_order=True`` computes, at a small fraction of its cost.

4. ``diff_canonical`` starts from the canonical bytes of both sides. When they differ within one value at
   the same path and are the same bytes around it (one task of 200 changed), only that value is parsed and
   descended into. That gives the same differences as the whole documents would: on the way down every
   object has the same members with equal siblings, and every array the same length with one changed
   element, which ``_objects`` and ``_arrays`` descend into directly.
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
from deepdiff import DeepDiff

from comparators.canonical import canonical_bytes, canonical_each, parse_json
from comparators.paths import join_pointer
from comparators.result import Diff, DiffKind
from comparators.scan import locate_change
from comparators.tokens import collapse_uuid_refs, token_family

__all__ = ["diff_canonical", "diff_json", "json_type"]

# Fixed options for the in-order alignment of element digests (no ignore_order: order is the question).
_ALIGN_OPTIONS: dict[str, Any] = {"view": "tree", "ignore_order": False, "verbose_level": 2}


def diff_json(primary: Any, candidate: Any, root: str = "", *, known_unequal: bool = False) -> list[Diff]:
    """Differences between two JSON values, with JSON Pointer paths under ``root`` (e.g. ``/body``).
    ``known_unequal``: the caller already found their canonical forms different (spares serializing both
    once more; containers that turn out equal still give no difference)."""
    if known_unequal and isinstance(primary, (dict, list)) and type(primary) is type(candidate):
        pass
    elif _same(primary, candidate) if known_unequal else canonical_bytes(primary) == canonical_bytes(candidate):
        return []
    found: list[Diff] = []
    _diff(primary, candidate, root, found)
    return found


def diff_canonical(
    primary: bytes, candidate: bytes, root: str = "", *, integers_fit: tuple[bool, bool] = (False, False)
) -> list[Diff]:
    """``diff_json`` of two documents given as canonical bytes (compact, sorted keys: what
    ``canonical_bytes`` and the normalizer write) that are known to differ. ``integers_fit`` per side as
    for ``parse_json``. Only the one value where they differ is parsed when that is all there is (4.)."""
    located = locate_change(primary, candidate) if locate_change is not None else None
    if located is None:
        p_doc, c_doc = (
            parse_json(primary, integers_fit=integers_fit[0]),
            parse_json(candidate, integers_fit=integers_fit[1]),
        )
        return diff_json(p_doc, c_doc, root, known_unequal=True)
    start, p_end, c_end, steps = located
    for step in steps:
        root = join_pointer(root, step if isinstance(step, int) else orjson.loads(primary[step[0] : step[1]]))
    p_value = parse_json(primary[start:p_end], integers_fit=integers_fit[0])
    c_value = parse_json(candidate[start:c_end], integers_fit=integers_fit[1])
    return diff_json(p_value, c_value, root, known_unequal=True)


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def _diff(primary: Any, candidate: Any, path: str, found: list[Diff]) -> None:
    if isinstance(primary, dict) and isinstance(candidate, dict):
        _objects(primary, candidate, path, found)
    elif isinstance(primary, list) and isinstance(candidate, list):
        _arrays(primary, candidate, path, found)
    else:
        found.append(_leaf(primary, candidate, path))


def _same(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, (dict, list, float)):  # floats: -0.0 == 0.0 in Python, not in JSON text
        return canonical_bytes(a) == canonical_bytes(b)
    return bool(a == b)


def _objects(primary: dict[str, Any], candidate: dict[str, Any], path: str, found: list[Diff]) -> None:
    # Most members are equal: their pointer is not built, and equal strings, integers, booleans and nulls
    # are passed by without a call (what _same would decide for them).
    for key in sorted(primary.keys() | candidate.keys()):
        if key not in candidate:
            found.append(Diff(path=join_pointer(path, key), kind=DiffKind.MISSING, primary=primary[key]))
            continue
        if key not in primary:
            found.append(Diff(path=join_pointer(path, key), kind=DiffKind.EXTRA, candidate=candidate[key]))
            continue
        p, c = primary[key], candidate[key]
        kind = type(p)
        if kind is type(c) and (kind is str or kind is int or kind is bool or p is None) and p == c:
            continue
        if isinstance(p, list) and isinstance(c, list):
            # _arrays serializes every element anyway, and equal lists give nothing there: serializing the
            # whole list first would only do that work twice (the data list of a 200-task answer: 0.2 ms).
            _arrays(p, c, join_pointer(path, key), found)
        elif not _same(p, c):
            _diff(p, c, join_pointer(path, key), found)


def _arrays(primary: list[Any], candidate: list[Any], path: str, found: list[Diff]) -> None:
    raw_p = canonical_each(primary)
    raw_c = canonical_each(candidate)
    if len(primary) == len(candidate):
        changed = [i for i, (a, b) in enumerate(zip(raw_p, raw_c, strict=True)) if a != b]
        if len(changed) == 1:  # one element changed: it cannot be a reordering, nothing to align
            _diff(primary[changed[0]], candidate[changed[0]], join_pointer(path, changed[0]), found)
            return
        if not changed:
            return
    keys_p = [collapse_uuid_refs(item) for item in raw_p]
    keys_c = [collapse_uuid_refs(item) for item in raw_c]
    if len(primary) == len(candidate):
        if keys_p != keys_c and sorted(keys_p) == sorted(keys_c):
            first = next(i for i, (a, b) in enumerate(zip(keys_p, keys_c, strict=True)) if a != b)
            note = f"same {len(primary)} elements in another order (first difference at index {first})"
            found.append(Diff(path=path, kind=DiffKind.ORDER, note=note))
            return
        if _in_place(changed, keys_p, keys_c):
            for i in changed:  # edits in place (or only references renumbered): no alignment needed
                _diff(primary[i], candidate[i], join_pointer(path, i), found)
            return
    else:
        found.append(Diff(path=path, kind=DiffKind.LENGTH, primary=len(primary), candidate=len(candidate)))
    _align(primary, candidate, keys_p, keys_c, path, found)


def _in_place(changed: list[int], keys_p: list[bytes], keys_c: list[bytes]) -> bool:
    """True when no changed element shows up elsewhere in the other list: the elements were edited where
    they stand, nothing was inserted, removed or moved (which would call for an alignment)."""
    others_p, others_c = set(keys_p), set(keys_c)
    return all(keys_p[i] == keys_c[i] or (keys_c[i] not in others_p and keys_p[i] not in others_c) for i in changed)


def _align(
    primary: list[Any], candidate: list[Any], keys_p: list[bytes], keys_c: list[bytes], path: str, found: list[Diff]
) -> None:
    tree = DeepDiff([_digest(k) for k in keys_p], [_digest(k) for k in keys_c], **_ALIGN_OPTIONS)
    located: list[tuple[int, Diff | tuple[int, int]]] = []
    for level in tree.get("iterable_item_removed", []):
        i = level.path(output_format="list")[-1]
        located.append((i, Diff(path=join_pointer(path, i), kind=DiffKind.MISSING, primary=primary[i])))
    for level in tree.get("iterable_item_added", []):
        j = level.path(output_format="list", use_t2=True)[-1]
        located.append((j, Diff(path=join_pointer(path, j), kind=DiffKind.EXTRA, candidate=candidate[j])))
    for level in tree.get("values_changed", []):
        pair = (level.path(output_format="list")[-1], level.path(output_format="list", use_t2=True)[-1])
        located.append((pair[0], pair))
    # Elements aligned as equal that differ only in reference numbers are the renumbering a missing or
    # extra element causes further down the list; the LENGTH/MISSING/EXTRA already tell that story.
    for _, item in sorted(located, key=lambda entry: entry[0]):
        if isinstance(item, Diff):
            found.append(item)
        else:
            i, j = item
            _diff(primary[i], candidate[j], join_pointer(path, i), found)


def _digest(key: bytes) -> str:
    return hashlib.blake2b(key, digest_size=12).hexdigest()


def _leaf(primary: Any, candidate: Any, path: str) -> Diff:
    family_p, family_c = token_family(primary), token_family(candidate)
    if primary is None or candidate is None:
        kind = DiffKind.TYPE
    elif (family_p or family_c) and (family_p != family_c or family_p == "ts"):
        kind = DiffKind.FORMAT
    elif json_type(primary) != json_type(candidate):
        kind = DiffKind.TYPE
    else:
        kind = DiffKind.VALUE
    return Diff(path=path, kind=kind, primary=primary, candidate=candidate)
