"""The WhatsApp channel adapters: the Cloud API client and the sandbox for sending, the webhook's models and signature for receiving."""
