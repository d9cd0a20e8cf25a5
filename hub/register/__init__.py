"""The certification register: per pensioner and cycle, who is certified, due, overdue, suspended.

The ledger keeps the register's two tables in the same transaction as each
certification and roster write (:mod:`certhub.hub.store.register`); this
package holds the cycle rule (:mod:`.cycle`, pure), the bulk roster import
(:mod:`.importer`, DuckDB), the lists readers page through (:mod:`.lists`),
the reminders sweep (:mod:`.reminders`) and the suspension proposals of
overdue pensioners (:mod:`.suspensions`).
"""
