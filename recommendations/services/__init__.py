"""Recommendation use cases, one module per concern: the lists a model makes for shops (``lists``), writing a
scored batch (``batch``), a shop's lists as a page or the API asks for them (``shop``), feedback (``feedback``),
and what reps and vendors read (``reach``)."""
