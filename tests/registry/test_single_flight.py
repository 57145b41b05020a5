"""On-demand predictions are computed once however many callers ask at the same moment (single-flight), and a
caller whose lock holder never answers computes it itself. A counting stand-in adapter, no database: the
baseline is served (no model version), and threads stand in for concurrent requests."""

import threading

import pytest
from django.core.cache import cache

from retailiq.registry.services import serving

CAPABILITY = "forecasting"
INPUTS = {"product_id": 1, "horizon": 7, "granularity": "day", "as_of": "2026-01-02"}


class CountingAdapter:
    """Predicts after ``release`` is set, counting its calls; ``entered`` is set once a prediction has begun."""

    def __init__(self) -> None:
        self.calls = 0
        self.entered = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()

    def baseline(self):
        return "baseline"

    def predict(self, model, inputs):
        with self.lock:
            self.calls += 1
        self.entered.set()
        assert self.release.wait(10), "the test never let the prediction finish"
        return {"days": [{"value": 1.0}] * inputs["horizon"]}


@pytest.fixture
def counting(monkeypatch, settings):
    cache.clear()
    stand_in = CountingAdapter()
    monkeypatch.setattr(serving, "adapter_for", lambda capability: stand_in)
    monkeypatch.setattr(serving, "serving_state", lambda **kw: {"champion": None, "challenger": None})
    settings.RETAILIQ_PREDICTION_WAIT_SECONDS = 10
    yield stand_in
    cache.clear()


def serve_into(results: dict, name: str) -> threading.Thread:
    def target() -> None:
        results[name] = serving.prediction_serve(capability=CAPABILITY, inputs=INPUTS, routing_key=name)

    thread = threading.Thread(target=target)
    thread.start()
    return thread


def test_two_concurrent_callers_compute_the_prediction_once(counting, monkeypatch):
    waiting = threading.Event()
    real_pause = serving._pause

    def pause(seconds: float) -> None:  # the second caller is polling for the first one's answer
        waiting.set()
        real_pause(seconds)

    monkeypatch.setattr(serving, "_pause", pause)
    results: dict = {}
    first = serve_into(results, "first")
    assert counting.entered.wait(10)
    second = serve_into(results, "second")
    assert waiting.wait(10), "the second caller did not wait for the first"
    counting.release.set()
    first.join(10)
    second.join(10)
    assert counting.calls == 1
    assert results["first"].result == results["second"].result
    assert (results["first"].cached, results["second"].cached) == (False, True)
    assert cache.get(f"prediction:{CAPABILITY}:baseline:{serving._inputs_digest(INPUTS)}:computing") is None


def test_a_caller_computes_itself_when_the_lock_holder_never_answers(counting, settings):
    key = f"prediction:{CAPABILITY}:baseline:{serving._inputs_digest(INPUTS)}"
    cache.add(f"{key}:computing", True, 60)  # a worker that took the lock and died
    settings.RETAILIQ_PREDICTION_WAIT_SECONDS = 0.1
    counting.release.set()
    served = serving.prediction_serve(capability=CAPABILITY, inputs=INPUTS, routing_key="r")
    assert counting.calls == 1 and not served.cached
    assert cache.get(key) == served.result
    assert cache.get(f"{key}:computing") is True  # not its lock to drop


def test_a_failed_prediction_drops_its_lock(counting, monkeypatch):
    def broken(model, inputs):
        raise RuntimeError("model file missing")

    monkeypatch.setattr(counting, "predict", broken)
    with pytest.raises(RuntimeError):
        serving.prediction_serve(capability=CAPABILITY, inputs=INPUTS, routing_key="r")
    assert cache.get(f"prediction:{CAPABILITY}:baseline:{serving._inputs_digest(INPUTS)}:computing") is None
