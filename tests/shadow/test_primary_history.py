from shadow.primary_history import PrimaryHistory
from tests.factories import texchange, trequest, tresponse


def test_later_answers_to_the_same_request_only() -> None:
    history = PrimaryHistory()
    poll = trequest(path="/api/execution-processes", query="task_attempt_id=a")
    first, second, third = (
        texchange(request=poll, primary=tresponse(json=n), started_at=n, completed_at=n + 0.1) for n in (1, 2, 3)
    )
    other_query = texchange(request=trequest(path="/api/execution-processes", query="task_attempt_id=b"), started_at=4)
    other_method = texchange(
        request=trequest(method="POST", path="/api/execution-processes", query="task_attempt_id=a")
    )
    for exchange in (first, second, third, other_query, other_method):
        history.add(exchange)
    assert history.after(first) == [second, third]
    assert history.after(third) == []
    assert len(history) == 5


def test_bounded_per_request_and_in_requests() -> None:
    history = PrimaryHistory(max_keys=2, per_key=2)
    polls = [texchange(request=trequest(path="/a"), started_at=n, completed_at=n) for n in range(4)]
    for exchange in polls:
        history.add(exchange)
    assert history.after(polls[0]) == polls[2:]  # only the last two are kept
    history.add(texchange(request=trequest(path="/b")))
    history.add(texchange(request=trequest(path="/c")))  # "/a" was seen least recently: dropped
    assert history.after(polls[0]) == [] and len(history) == 2
