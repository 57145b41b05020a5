"""Inventory policy and demand over the lead time: pure NumPy/SciPy over DataFrames, no Django."""
