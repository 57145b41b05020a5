"""Reorder use cases, one module per concern: the call list, call outcomes, a shop's reorder cart, on-demand
predictions, writing a scored batch (``batch``), and the horizon and shop rules they share."""
