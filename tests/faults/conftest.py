"""Fixtures the fault tests share."""

import pytest

from retailiq.registry import adapters


@pytest.fixture
def slow_adapter():
    """A capability whose training takes long enough for a fault to land mid-run; registered in this process
    (the worker loads it through RETAILIQ_ADAPTER_MODULES)."""
    from tests.registry import slow_adapter

    adapters.register_adapter(slow_adapter.SlowAdapter())
    yield slow_adapter
    adapters._ADAPTERS.pop(slow_adapter.CAPABILITY, None)
