"""The monitoring cell's web application: accounts, the append-only ledger, the dashboard, the API.

``detente.web.app.create_app(database_url)`` builds the FastAPI application;
``detente serve`` runs it. The ledger (:mod:`detente.web.ledger`) is the one place
events are written. Nothing is imported here, so that other commands start fast.
"""
