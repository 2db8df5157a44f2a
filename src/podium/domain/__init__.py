"""The pure core of podium: assets, statuses, state machines, permissions, validation, DAG, errors,
events and the ledger's canonical encoding.

Rule: standard library only. No I/O, no clock, no randomness: time and identifiers are given by
callers. Everything here is a value or a pure function of values.
"""
