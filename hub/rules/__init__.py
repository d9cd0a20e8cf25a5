"""The procedure's rules: pure functions over ``schemas`` objects (no I/O).

Pure means: no clock read, no file, no network, no ledger; and this package imports
nothing of ``hub`` but itself (tests/test_architecture.py keeps it so). The planners
in :mod:`certhub.hub.procedure` load a snapshot of the state, call these functions, and hand
the resulting changes to the store, which commits them with the ledger record and its
audit entries in one transaction.
"""
