"""The running hub: the aiohttp app assembled from every capability, and how it is served.

* :mod:`certhub.hub.runtime.app` — ``create_app``: the start-up and shutdown order of the parts;
* :mod:`certhub.hub.runtime.serving` — the listener with its connection cap and idle timeouts;
* :mod:`certhub.hub.runtime.health` — liveness and readiness checks;
* :mod:`certhub.hub.runtime.trust_state` — the trust store reloaded while serving;
* :mod:`certhub.hub.runtime.gc_tuning` — the garbage collector tuned for serving.

Only :mod:`certhub.hub.cli` imports this package; nothing below it does.
"""
