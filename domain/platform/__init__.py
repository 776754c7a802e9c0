"""What the platform offers businesses beyond the chat and the panel: API tokens and idempotent requests."""
