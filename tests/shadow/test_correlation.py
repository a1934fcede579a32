import uuid

import orjson
from hypothesis import given
from hypothesis import strategies as st

from shadow.correlation import IdMap, created_id
from tests.factories import trequest, tresponse

P1, P2, P3 = (str(uuid.UUID(int=n)) for n in (1, 2, 3))
C1, C2, C3 = (str(uuid.UUID(int=n << 64)) for n in (1, 2, 3))


def envelope(data: object) -> dict[str, object]:
    return {"success": True, "data": data, "error_data": None, "message": None}


def test_learns_pairs_at_the_same_json_paths() -> None:
    ids = IdMap()
    primary = envelope({"id": P1, "project_id": P2, "name": "x", "children": [{"id": P3}]})
    candidate = envelope({"id": C1, "project_id": C2, "name": "x", "children": [{"id": C3}]})
    assert ids.learn(primary, candidate) == []
    assert len(ids) == 3
    assert ids.candidate_of(P1) == C1 and ids.primary_of(C3) == P3
    assert dict(ids.candidate_to_primary) == {C1: P1, C2: P2, C3: P3}


def test_lists_of_different_length_and_non_uuids_teach_nothing() -> None:
    ids = IdMap()
    ids.learn({"data": [P1, P2]}, {"data": [C1]})
    ids.learn({"branch": "vk-1234-x", "id": P1}, {"branch": "vk-9999-x", "id": 7})
    assert len(ids) == 0


def test_conflicts_are_reported_and_not_learned() -> None:
    ids = IdMap()
    ids.pair(P1, C1)
    conflicts = ids.learn({"id": P1}, {"id": C2}, path="/body")
    assert [(c.path, c.side, c.known) for c in conflicts] == [("/body/id", "primary", C1)]
    conflicts = ids.learn({"id": P2}, {"id": C1})
    assert [(c.side, c.known) for c in conflicts] == [("candidate", P1)]
    assert ids.candidate_of(P1) == C1 and ids.candidate_of(P2) is None
    assert ids.conflicts == 2


def test_upper_case_ids_map_to_the_same_pair() -> None:
    ids = IdMap()
    ids.pair(P1.upper(), C1)
    assert ids.candidate_of(P1) == C1
    assert ids.pair(P1, C1) is None


def test_bounded_least_recently_learned_go_first() -> None:
    ids = IdMap(max_pairs=2)
    ids.pair(P1, C1)
    ids.pair(P2, C2)
    ids.pair(P1, C1)  # refreshes P1
    ids.pair(P3, C3)
    assert ids.candidate_of(P2) is None and ids.primary_of(C2) is None
    assert ids.candidate_of(P1) == C1 and ids.candidate_of(P3) == C3


def test_rewrites_path_query_and_json_body() -> None:
    ids = IdMap()
    ids.pair(P1, C1)
    ids.pair(P2, C2)
    request = trequest(
        method="PUT", path=f"/api/tasks/{P1}", query=f"project_id={P2}&x=1", json={"parent_task_attempt": P2, "n": P3}
    )
    rewritten = ids.rewrite(request)
    assert rewritten.path == f"/api/tasks/{C1}"
    assert rewritten.query == f"project_id={C2}&x=1"
    assert orjson.loads(rewritten.body) == {"parent_task_attempt": C2, "n": P3}
    assert rewritten.headers == request.headers


def test_binary_bodies_are_left_alone() -> None:
    ids = IdMap()
    ids.pair(P1, C1)
    body = f"--b\r\nContent-Disposition: form-data; name=image\r\n\r\n{P1}\r\n--b--".encode()
    request = trequest(
        method="POST",
        path="/api/images/upload",
        body=body,
        headers=(("content-type", "multipart/form-data; boundary=b"),),
    )
    assert ids.rewrite(request).body == body


@given(st.dictionaries(st.uuids().map(str), st.uuids().map(str), max_size=20))
def test_rewrite_then_map_back_round_trips(pairs: dict[str, str]) -> None:
    ids = IdMap()
    for primary, candidate in pairs.items():
        ids.pair(primary, candidate)
    learned = {p: ids.candidate_of(p) for p in pairs if ids.candidate_of(p) is not None}
    text = "/".join(learned)
    swapped = ids.to_candidate(text)
    assert [ids.primary_of(c) for c in swapped.split("/") if c] == list(learned)


def test_learn_responses_needs_same_status_and_json() -> None:
    ids = IdMap()
    primary = tresponse(json=envelope({"id": P1}))
    assert ids.learn_responses(primary, tresponse(status=500, json=envelope({"id": C1}))) == []
    assert ids.learn_responses(primary, tresponse(body=b"<html>", headers=(("content-type", "text/html"),))) == []
    assert len(ids) == 0
    ids.learn_responses(primary, tresponse(json=envelope({"id": C1})))
    assert ids.candidate_of(P1) == C1


def test_created_id() -> None:
    assert created_id(tresponse(json=envelope({"id": P1}))) == P1
    assert created_id(tresponse(json=envelope(None))) is None
    assert created_id(tresponse(json=envelope([{"id": P1}]))) is None
    assert created_id(tresponse(body=b"", headers=())) is None


def test_relevant_pairs_are_the_ones_either_body_mentions() -> None:
    ids = IdMap()
    ids.pair(P1, C1)
    ids.pair(P2, C2)
    ids.pair(P3, C3)
    primary = orjson.dumps({"id": P1, "parent": P3})
    candidate = orjson.dumps({"id": C1.upper()})
    assert ids.relevant(primary, candidate) == {C1: P1, C3: P3}
    assert ids.relevant(b"", b"") == {}
