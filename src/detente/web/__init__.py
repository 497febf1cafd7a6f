"""The monitoring cell's web application: accounts, the append-only ledger, the dashboard, the API.

``create_app(database_url)`` builds the FastAPI application; ``detente serve`` runs it.
The ledger (see :mod:`detente.web.ledger`) is the one place events are written.
"""

from detente.web.app import create_app

__all__ = ["create_app"]
