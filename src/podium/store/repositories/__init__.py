"""One small repository per asset, each reached through a transaction (``tx.tasks``, ``tx.plans`` …).

Repositories never commit. Reads are filtered by the transaction's channel, except ``key_taken`` /
``first_key_taken``, which are global because keys are.
"""
