import time
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def timed(timings: dict[str, float], step: str) -> Iterator[None]:
    """Seconds per step land in the batch's summary, so a slow import says where."""
    started = time.perf_counter()
    try:
        yield
    finally:
        timings[step] = round(timings.get(step, 0.0) + time.perf_counter() - started, 2)
