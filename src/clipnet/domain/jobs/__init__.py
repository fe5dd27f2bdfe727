"""Background jobs: the model, the outbox and its relay, the runner, queries and admin."""
