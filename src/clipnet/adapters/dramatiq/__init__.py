"""Job queues on Dramatiq: the Redis broker for staging/production, a stub broker in-process.

Both run every job through the same actor code (:mod:`.queue`), which calls the domain's
job runner; the job table stays the source of truth for status, attempts and retries.
"""
