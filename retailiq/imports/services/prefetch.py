"""Reading the next chunk while the database stores this one.

Parsing, checking and serialising a chunk is Python work; COPY of the one before is
PostgreSQL's. On a machine with two cores the two overlap instead of taking turns. The
producer thread never touches the database (Django connections are per thread)."""

import queue
import threading
from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")
_DONE = object()
_POLL_SECONDS = 0.1


def prefetched(items: Iterator[T], *, depth: int = 1) -> Iterator[T]:
    """Yield what `items` yields, producing up to `depth` items ahead in a thread, so at
    most depth + 2 items are in memory at once. An exception in the producer is raised
    here; stopping early (an exception in the consumer) stops and closes the producer."""
    handoff: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(entry: tuple) -> bool:
        while not stop.is_set():
            try:
                handoff.put(entry, timeout=_POLL_SECONDS)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put((item, None)):
                    return
            put((_DONE, None))
        except BaseException as exc:  # handed to the consumer, which raises it
            put((_DONE, exc))
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()  # a generator is closed in the thread that ran it

    producer = threading.Thread(target=produce, name="import-prefetch", daemon=True)
    producer.start()
    try:
        while True:
            item, error = handoff.get()
            if item is _DONE:
                if error is not None:
                    raise error
                return
            yield item
    finally:
        stop.set()
        producer.join()
