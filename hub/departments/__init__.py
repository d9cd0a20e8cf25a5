"""The departments the hub talks to, found by the roles their adapters play.

* :mod:`certhub.hub.departments.registry` — adapters built from settings, by role; the identity
  check and the certification-source pull;
* :mod:`certhub.hub.departments.context` — their start-up and shutdown in the app.

Delivery to a department (outbox, retries, dead letters) is :mod:`certhub.hub.delivery`.
"""
