"""The province's procedure as pure functions over ``schemas`` objects (no I/O).

The routes load a snapshot of the state, call these functions, and hand the
resulting changes to the store, which commits them with the ledger record
and its audit entries in one transaction.
"""
