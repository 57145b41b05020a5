"""Optimization's use cases, one module per concern: stockout risk (scoring, warnings), plans and scenarios,
purchase-order drafts."""
