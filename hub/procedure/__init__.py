"""The procedure wired to the store: turn each verified message into its effects.

Each planner reads the state it needs, asks the pure rules in
``certhub.hub.rules`` what changes, and returns :class:`~certhub.hub.store.effects.Effects`
for the ledger to commit atomically with the message itself.

A planner of a message aimed at one thing (an item, a task, a rating) takes that
thing's key from the path first, then the message and its payload, so that a
route binds the context and key with ``functools.partial`` and hands the rest to
``push_one``.
"""
