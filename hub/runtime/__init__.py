"""The running hub: the aiohttp app assembled from every capability, and how it is served.

* :mod:`hub.runtime.app` — ``create_app``: the start-up and shutdown order of the parts;
* :mod:`hub.runtime.serving` — the listener with its connection cap and idle timeouts;
* :mod:`hub.runtime.health` — liveness and readiness checks;
* :mod:`hub.runtime.trust_state` — the trust store reloaded while serving;
* :mod:`hub.runtime.gc_tuning` — the garbage collector tuned for serving.

Only :mod:`hub.cli` imports this package; nothing below it does.
"""
