"""Recommendations for retailers over order history: pure pandas/NumPy/SciPy, no Django.

The input frames are described in :mod:`recommendations.ml.data`; each candidate generator is one small class behind
the protocol of :mod:`recommendations.ml.base`; :class:`recommendations.ml.recommender.Recommender` ranks their
candidates into the three lists (discover, buy again, bundles) with a reason in words for every item.
"""
