"""Outgoing webhooks: a business's endpoints, the events it is told of (written with the change) and their deliveries."""
