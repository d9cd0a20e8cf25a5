"""The monthly reporting duty: who must report, and the watch that shows who has not.

* :mod:`hub.compliance.reporting_units` — the regions that must report every month;
* :mod:`hub.compliance.watch` — keeps the compliance and task gauges current for
  Prometheus and its alerts (its rules are :mod:`hub.rules.compliance`).
"""
