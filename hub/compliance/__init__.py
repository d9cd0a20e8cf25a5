"""The monthly reporting duty: who must report, and the watch that shows who has not.

* :mod:`certhub.hub.compliance.reporting_units` — the regions that must report every month;
* :mod:`certhub.hub.compliance.watch` — keeps the compliance and task gauges current for
  Prometheus and its alerts (its rules are :mod:`certhub.hub.rules.compliance`).
"""
