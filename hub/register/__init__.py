"""The certification register: per pensioner and cycle, who is certified, due, overdue, suspended.

The ledger keeps the register's two tables in the same transaction as each
certification (:mod:`certhub.hub.store.register`); this package holds the cycle
rule (:mod:`.cycle`), the bulk roster import (:mod:`.importer`) and the lists
readers page through (:mod:`.lists`).
"""
