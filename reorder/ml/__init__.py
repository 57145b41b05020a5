"""Reorder prediction over order history: pure pandas/NumPy, no Django.

The long input format is described in :mod:`reorder.ml.history`; features in :mod:`reorder.ml.features`,
labels in :mod:`reorder.ml.labels`, and the stacked, time-split dataset in :mod:`reorder.ml.dataset`.
"""
