import threading

import pytest

from retailiq.imports.services.prefetch import prefetched


def test_items_arrive_in_order_from_another_thread():
    threads = []

    def produce():
        for n in range(5):
            threads.append(threading.current_thread().name)
            yield n

    assert list(prefetched(produce(), depth=2)) == [0, 1, 2, 3, 4]
    assert set(threads) == {"import-prefetch"}


def test_an_error_while_producing_reaches_the_consumer_after_the_items_before_it():
    def produce():
        yield 1
        raise ValueError("line 7: the file stops being a readable CSV")

    received = []
    with pytest.raises(ValueError, match="line 7"):
        for item in prefetched(produce()):
            received.append(item)
    assert received == [1]


def test_stopping_early_closes_the_producer():
    closed = threading.Event()

    def produce():
        try:
            n = 0
            while True:
                yield n
                n += 1
        finally:
            closed.set()

    with pytest.raises(RuntimeError):
        for item in prefetched(produce()):
            if item == 2:
                raise RuntimeError("database went away")
    assert closed.wait(timeout=5)
