"""In-memory adapters for every port: for tests, demos and services that embed the domain.

They keep the same promises as the real adapters (the contract suites under
``tests/contracts`` prove it), including transactions, version checks and idempotency.
"""
