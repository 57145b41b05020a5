"""Insight use cases, one module per concern: one detection run as of a day (``run``), storing it (``write``), a
person's feed and feedback with the feed's stated rules (``feed``), and what the pattern pages and the segment
overview show (``patterns``)."""
