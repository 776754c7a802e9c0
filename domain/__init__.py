"""Business logic over the ORM: no HTTP, no WhatsApp, no Dramatiq. Subpackages by concern."""
