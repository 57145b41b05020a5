"""The one environment reader. Settings and each capability's settings object
(forecasting/conf.py, reorder/conf.py) read the environment through it, so a bad value
fails the same way everywhere: django-environ refuses a value it cannot cast, and a
variable with no default must be set."""

import environ

env = environ.Env()
