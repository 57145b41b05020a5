"""The run reductions the pair features use give pandas' groupby figures: missing values skipped, a run with none
present missing, the median of an even count the mean of its middle two."""

import numpy as np
import pandas as pd

from reorder.ml.segments import Segments


def _runs(seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    codes = np.sort(rng.integers(0, 60, size=500))
    values = rng.normal(10, 4, size=500).round(1)  # rounded: ties, as days and quantities have
    values[rng.uniform(size=500) < 0.25] = np.nan
    values[codes == codes[0]] = np.nan  # one run with nothing present
    return codes, values


def test_each_reduction_equals_pandas_groupby():
    codes, values = _runs()
    runs = Segments(codes)
    grouped = pd.Series(values).groupby(codes)
    expected = {
        "sum": grouped.sum(),
        "count": grouped.count(),
        "mean": grouped.mean(),
        "min": grouped.min(),
        "max": grouped.max(),
        "std": grouped.std(ddof=0),
        "median": grouped.median(),
    }
    for name, figures in expected.items():
        np.testing.assert_allclose(getattr(runs, name)(values), figures.to_numpy(dtype=float), rtol=1e-12, err_msg=name)
    assert np.isnan(runs.mean(values)[0]) and runs.sum(values)[0] == 0.0
    np.testing.assert_array_equal(runs.sizes, pd.Series(codes).groupby(codes).size().to_numpy())
    np.testing.assert_array_equal(
        runs.last_of(np.arange(len(codes))), pd.Series(np.arange(len(codes))).groupby(codes).last()
    )


def test_distinct_values_per_run():
    codes, values = _runs(seed=8)
    whole = np.nan_to_num(values).round()
    np.testing.assert_array_equal(Segments(codes).nunique(whole), pd.Series(whole).groupby(codes).nunique().to_numpy())


def test_no_rows_gives_no_runs():
    runs = Segments(np.array([], dtype=np.int64))
    assert runs.n == 0 and len(runs.sum(np.array([]))) == 0 and len(runs.median(np.array([]))) == 0
