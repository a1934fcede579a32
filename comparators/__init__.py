"""Pure comparison engine: normalize two answers to the same request and say whether they mean the same.

Nothing here does I/O (apart from reading profile files it is asked to load) or imports the proxy, the
store or the runner. Start with ``load_profile()`` and ``compare_exchange(...)``.
"""

from comparators.canonical import NotJson, canonical_bytes, parse_json
from comparators.compare import (
    CompareContext,
    compare_exchange,
    judge,
    normalize_request,
    response_diffs,
    verdict_for_candidate_error,
    verdict_shed,
)
from comparators.error_shapes import ERROR_SHAPES, Shape, ShapeInfo, classify, diff_shapes
from comparators.headers import diff_headers
from comparators.intended import (
    IntendedDivergence,
    IntendedDivergences,
    IntendedError,
    IntendedOutcome,
    load_intended,
    parse_intended,
)
from comparators.json_diff import diff_json
from comparators.message import Headers, HttpRequest, HttpResponse
from comparators.noise import NoiseModel, NoiseModelError, route_key
from comparators.normalize import RULES, NormalizeContext, Normalizer, RuleRef, apply_rule, normalize
from comparators.paths import PathPattern, generalize_pointer, join_pointer, split_pointer
from comparators.profiles import (
    DEFAULT_PROFILE,
    Profile,
    ProfileDefaults,
    ProfileError,
    RouteMatch,
    RouteRule,
    load_profile,
    shipped_profiles,
)
from comparators.result import STRUCTURAL_KINDS, Diff, DiffKind, Verdict, VerdictKind, signature_of
from comparators.timestamps import TimestampClass, classify_timestamp

__all__ = [
    "DEFAULT_PROFILE",
    "ERROR_SHAPES",
    "RULES",
    "STRUCTURAL_KINDS",
    "CompareContext",
    "Diff",
    "DiffKind",
    "Headers",
    "HttpRequest",
    "HttpResponse",
    "IntendedDivergence",
    "IntendedDivergences",
    "IntendedError",
    "IntendedOutcome",
    "NoiseModel",
    "NoiseModelError",
    "NormalizeContext",
    "Normalizer",
    "NotJson",
    "PathPattern",
    "Profile",
    "ProfileDefaults",
    "ProfileError",
    "RouteMatch",
    "RouteRule",
    "RuleRef",
    "Shape",
    "ShapeInfo",
    "TimestampClass",
    "Verdict",
    "VerdictKind",
    "apply_rule",
    "canonical_bytes",
    "classify",
    "classify_timestamp",
    "compare_exchange",
    "diff_headers",
    "diff_json",
    "diff_shapes",
    "generalize_pointer",
    "join_pointer",
    "judge",
    "load_intended",
    "load_profile",
    "normalize",
    "normalize_request",
    "parse_intended",
    "parse_json",
    "response_diffs",
    "route_key",
    "shipped_profiles",
    "signature_of",
    "split_pointer",
    "verdict_for_candidate_error",
    "verdict_shed",
]
