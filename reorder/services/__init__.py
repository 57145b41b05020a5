"""Reorder use cases, one module per concern: the call list, call outcomes, a shop's reorder cart, on-demand
predictions, and the serving predictions they all read (``serving``)."""
