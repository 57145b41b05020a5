"""django-axes' lockout check, for sign-ins that come with a request. A caller without one
(a management command, a shell, a test) cannot be a password guesser on the wire, and axes'
own backend would refuse it outright; Django's backend then checks the password as usual."""

from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
