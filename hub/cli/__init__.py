"""The ``certhub`` command line (:mod:`certhub.hub.cli.main`) and the demo.

One module per group of sub-commands (serve, bank, dlq, ops, trust, compare), the
shared error handling in :mod:`certhub.hub.cli.common`, and the demo (:mod:`certhub.hub.cli.demo`,
:mod:`certhub.hub.cli.demo_case`) that runs the hub against the simulated departments. This is the
only package of ``hub`` allowed to import ``mocks``.
"""
