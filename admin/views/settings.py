"""Settings pages (owner only, except a trainer's own weekly hours): business, policies, services,
products, weekly hours and time off, automated messages, message templates, WhatsApp connection. Each section is its own module;
importing them registers their handlers on the shared route table exported here."""
from __future__ import annotations

from admin.views import (  # noqa: F401  (imported for the routes they register)
    settings_business,
    settings_hours,
    settings_products,
    settings_services,
    settings_templates,
    settings_whatsapp,
)
from admin.views.settings_routes import routes

__all__ = ["routes"]
