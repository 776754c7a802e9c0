"""The admin panel (server-rendered aiohttp + Jinja2), its read models and the WhatsApp simulator."""
