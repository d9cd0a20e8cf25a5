"""The procedure wired to the store: turn each verified message into its effects.

Each planner reads the state it needs, asks the pure rules in
``certhub.hub.rules`` what changes, and returns :class:`~certhub.hub.store.effects.Effects`
for the ledger to commit atomically with the message itself.
"""
