"""FitZap's REST API v1: per-business bearer tokens, JSON resources over the domain, its OpenAPI document and docs page."""
