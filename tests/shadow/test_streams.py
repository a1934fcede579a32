import asyncio

from hypothesis import given
from hypothesis import strategies as st

from shadow.config import StreamSettings
from shadow.streams import StreamRecorder


class Sink:
    def __init__(self) -> None:
        self.calls: list[tuple[bytes, bool]] = []

    def __call__(self, body: bytes, complete: bool) -> None:
        self.calls.append((body, complete))


@given(st.lists(st.binary(min_size=1, max_size=64), max_size=20), st.integers(min_value=1, max_value=300))
def test_chunks_pass_through_unchanged_whatever_the_budget(chunks: list[bytes], budget: int) -> None:
    sink = Sink()
    recorder = StreamRecorder(StreamSettings(max_bytes=budget), sink, loop=None)
    passed = [recorder(chunk) for chunk in chunks]
    assert passed == chunks
    assert all(out is chunk for out, chunk in zip(passed, chunks, strict=True))  # not even copied
    assert recorder(b"") == b""
    assert len(sink.calls) == 1  # handed over exactly once
    body, complete = sink.calls[0]
    joined = b"".join(chunks)
    assert body == joined[:budget]
    assert complete is (len(joined) <= budget)


def test_end_of_stream_hands_over_a_complete_recording() -> None:
    sink = Sink()
    recorder = StreamRecorder(StreamSettings(), sink, loop=None)
    recorder(b"event: json_patch\ndata: []\n\n")
    recorder(b"event: finished\ndata: \n\n")
    recorder(b"")
    assert sink.calls == [(b"event: json_patch\ndata: []\n\nevent: finished\ndata: \n\n", True)]
    assert recorder(b"late") == b"late" and len(sink.calls) == 1


async def test_time_window_closes_a_stalled_stream() -> None:
    sink = Sink()
    recorder = StreamRecorder(StreamSettings(max_seconds=0.05), sink)
    recorder(b"data: 1\n\n")
    await asyncio.sleep(0.15)  # the server sends nothing more: the timer must close the window
    assert sink.calls == [(b"data: 1\n\n", False)]
    assert recorder(b"data: 2\n\n") == b"data: 2\n\n"
    assert recorder.closed and len(sink.calls) == 1


def test_abort_hands_over_what_was_recorded() -> None:
    sink = Sink()
    recorder = StreamRecorder(StreamSettings(), sink, loop=None)
    recorder(b"data: 1\n\n")
    recorder.abort()
    recorder.abort()
    assert sink.calls == [(b"data: 1\n\n", False)]


def test_a_failing_consumer_never_breaks_the_client_stream() -> None:
    def explode(body: bytes, complete: bool) -> None:
        raise RuntimeError("consumer bug")

    recorder = StreamRecorder(StreamSettings(max_bytes=4), explode, loop=None)
    assert recorder(b"0123456789") == b"0123456789"
    assert recorder(b"") == b""
