"""The decision service: ``sen-rules serve`` (the ``server`` extra; see docs/service.md).

``app`` builds the ASGI application; ``routes_evaluate`` and ``routes_audit`` hold the
endpoints, ``auditor`` the auditors' page; ``auth`` tokens and scopes, ``problems`` RFC 9457
errors, ``limits`` request limits and strict JSON, ``reload`` the swappable rulebase,
``run`` the process supervisor. Nothing in the library imports this package.
"""
