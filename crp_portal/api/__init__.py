"""The partner API base, shared by every app's `api/` package: permissions, throttling,
pagination, filters, fields, renderers, the base viewset with its conditional requests and answer
cache, fast representations, the exception handler; and the v1 router (router.py).

Imports nothing here, so an app's api module can import one of these without loading the router.
"""
