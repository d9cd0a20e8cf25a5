"""What every capability of the hub stands on: settings, the typed app keys, background loops.

* :mod:`certhub.hub.core.settings` — :class:`~certhub.hub.core.settings.Settings`, read
  from the environment;
* :mod:`certhub.hub.core.keys` — every aiohttp ``AppKey`` of the hub, in one module;
* :mod:`certhub.hub.core.periodic` — the one helper that runs and stops a background loop;
* :mod:`certhub.hub.core.leader` — singleton loops run by one process of a deployment
  (the holder of a PostgreSQL advisory lock).

It imports nothing of ``hub`` when it runs, so every other package may import it.
"""
