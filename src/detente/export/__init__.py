"""Exports of an agreement for other tools: the validated model as JSON, and Promela for Spin."""
