"""Web plumbing every app uses (pages and API alike): access, caching, tables, HTMX helpers, CSV export and the
mapping of domain errors to HTTP statuses and form messages. It holds no business rule of its own."""
