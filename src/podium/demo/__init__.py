"""``podium demo``: a local federated-learning network started with one command.

A development CA, an orchestrator on embedded SQLite with mTLS on loopback, and N organizations, each
with its agent and Celery worker as real processes, run a FedAvg plan of a numpy logistic regression on
scikit-learn's bundled digits, split unevenly among the organizations.

Rule: may import every podium package (it is an entry point, like the CLI).
"""
