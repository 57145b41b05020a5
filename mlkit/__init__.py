"""Pure helpers the capabilities' ``ml/`` packages share: no Django, and heavy libraries imported only inside the
functions that use them.

It lives beside the apps rather than under ``retailiq/``: importing anything below ``retailiq`` starts its Celery
application, which imports Django, and an ``ml/`` module must run without it.
"""
