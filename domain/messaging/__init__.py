"""The message path's persistence: the inbox, conversations and their locks, the outbox and its statuses,
the turn's reads and writes, handoffs, templates and the sandbox's record of what it sent."""
