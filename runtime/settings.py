"""Configuration from the environment (pydantic-settings)."""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

from runtime.url_checks import check_database_url, check_http_url, check_redis_url

# Safe local defaults for `fitzap demo` only; production refuses to start with any of them.
DEMO_APP_SECRET = "demo-app-secret"
DEMO_VERIFY_TOKEN = "demo-verify-token"
DEMO_TOKEN = "demo-token"
# The key every demo shared before each made its own; it is public, so production refuses it.
PUBLISHED_DEMO_SECRET_KEY = "demo-secret-key-not-for-production-use"
DEMO_SECRET_KEY_FILE = "secret_key"
DEMO_PHONE_NUMBER_ID = "100000000000001"

_DEMO_VALUES = {
    "whatsapp_app_secret": DEMO_APP_SECRET,
    "whatsapp_verify_token": DEMO_VERIFY_TOKEN,
    "whatsapp_token": DEMO_TOKEN,
    "secret_key": PUBLISHED_DEMO_SECRET_KEY,
}


class PlanSetting(BaseModel):
    """One plan's configured limits (FITZAP_PLANS); what is not given keeps its default, null is unlimited."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    active_clients: int | None = Field(None, ge=0)
    trainers: int | None = Field(None, ge=0)
    automated_messages: int | None = Field(None, ge=0)
    campaigns: int | None = Field(None, ge=0)
    api_access: bool = False
    price_cents: int = Field(0, ge=0)
    currency: str = Field("BRL", pattern=r"^[A-Z]{3}$")
    stripe_price_id: str | None = Field(None, pattern=r"^price_\w+$")


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the variable."""


class LogSettings(BaseSettings):
    """The one setting every command reads, even those that need no other (`fitzap demo`, `fitzap bench`)."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = Field("INFO", alias="LOG_LEVEL")

    @field_validator("log_level", mode="before")
    @classmethod
    def _any_case(cls, level: object) -> object:
        return level.upper() if isinstance(level, str) else level


class Settings(LogSettings):
    """Every knob FitZap reads from the environment."""

    mode: Literal["production", "demo"] = Field("production", alias="FITZAP_MODE")
    database_url: str = Field(alias="DATABASE_URL")
    redis_url: str | None = Field(alias="REDIS_URL")
    whatsapp_token: SecretStr = Field(alias="WHATSAPP_TOKEN")
    whatsapp_app_secret: SecretStr = Field(alias="WHATSAPP_APP_SECRET")
    whatsapp_verify_token: SecretStr = Field(alias="WHATSAPP_VERIFY_TOKEN")
    whatsapp_api_version: str = Field("v23.0", alias="WHATSAPP_API_VERSION", pattern=r"^v\d+\.\d+$")
    whatsapp_api_base_url: str = Field("https://graph.facebook.com", alias="WHATSAPP_API_BASE_URL")
    secret_key: SecretStr = Field(alias="SECRET_KEY")
    channel: Literal["cloud_api", "sandbox"] = Field("cloud_api", alias="FITZAP_CHANNEL")
    # httptools' pool sends several times cheaper; httpx's own is the one respx intercepts, so the tests use it.
    whatsapp_http_transport: Literal["httptools", "httpx"] = Field("httptools", alias="WHATSAPP_HTTP_TRANSPORT")
    send_rate_per_s: int = Field(80, alias="WHATSAPP_SEND_RATE_PER_S", ge=1, le=10_000)
    # With the backoff base's bound, the last retry's 2^attempts backoff still fits a timedelta (workers.delivery).
    delivery_max_attempts: int = Field(8, alias="DELIVERY_MAX_ATTEMPTS", ge=1, le=40)
    # Backoffs stop growing at 15 minutes (workers.delivery), so a base beyond a minute only breaks the arithmetic.
    delivery_backoff_base_ms: int = Field(1000, alias="DELIVERY_BACKOFF_BASE_MS", ge=1, le=60_000)
    sweep_after_s: int = Field(10, alias="SWEEP_AFTER_S", ge=1, le=86_400)
    db_pool_size: int = Field(10, alias="DB_POOL_SIZE", ge=1, le=200)
    # At most one processing wake-up per this many ms from a web process (0: one per group commit).
    # The more clients a wake-up carries, the more turns share a transaction: 50 ms beat shorter
    # intervals on throughput (docs/performance.md).
    wake_up_every_ms: int = Field(50, alias="WAKE_UP_EVERY_MS", ge=0, le=1000)
    # Requests per minute each REST API token may make (then 429 with Retry-After).
    api_rate_per_min: int = Field(600, alias="API_RATE_PER_MIN", ge=1, le=1_000_000)
    # The panel's session cookie is Secure (HTTPS only) unless this says otherwise; the demo serves plain HTTP.
    admin_cookie_secure: bool | None = Field(None, alias="ADMIN_COOKIE_SECURE")
    # When set, /metrics answers only requests carrying `Authorization: Bearer <token>`.
    metrics_token: SecretStr | None = Field(None, alias="METRICS_TOKEN")
    # Without a token, production's /metrics is off unless this says the scrape stays inside a private network.
    metrics_public: bool = Field(False, alias="METRICS_PUBLIC")
    # Where clients reach this deployment: the chat's payment links start with it.
    public_url: str | None = Field(None, alias="PUBLIC_URL")
    # Payments through Stripe (Connect, direct charges on each business's account); both or neither.
    stripe_secret_key: SecretStr | None = Field(None, alias="STRIPE_SECRET_KEY")
    stripe_webhook_secret: SecretStr | None = Field(None, alias="STRIPE_WEBHOOK_SECRET")
    stripe_platform_fee_percent: float = Field(0.0, alias="STRIPE_PLATFORM_FEE_PERCENT", ge=0, le=50)
    # Where clients' progress photos are kept once downloaded from the Graph API; unset, only their media ids are.
    media_dir: Path | None = Field(None, alias="MEDIA_DIR")
    # `fitzap serve`'s port when --port is not given.
    port: int = Field(8080, alias="PORT", ge=1, le=65535)
    # Email (password resets, booking confirmations to clients WhatsApp cannot reach): off without SMTP_HOST.
    smtp_host: str | None = Field(None, alias="SMTP_HOST")
    smtp_port: int | None = Field(None, alias="SMTP_PORT", ge=1, le=65535)
    smtp_username: str | None = Field(None, alias="SMTP_USERNAME")
    smtp_password: SecretStr | None = Field(None, alias="SMTP_PASSWORD")
    smtp_starttls: bool = Field(False, alias="SMTP_STARTTLS")  # upgrade a plain connection (port 587)
    smtp_tls: bool = Field(False, alias="SMTP_TLS")  # TLS from the first byte (port 465)
    mail_from: str | None = Field(None, alias="MAIL_FROM")
    # Each plan's limits and price, as JSON over the defaults (domain.platform.plans), e.g.
    # {"starter": {"active_clients": 150, "stripe_price_id": "price_…"}}.
    plans: dict[Literal["free", "starter", "pro", "enterprise"], PlanSetting] = Field(default_factory=dict, alias="FITZAP_PLANS")
    # Whether studios may sign up on their own at /signup (it needs email for the confirmation).
    signup_open: bool = Field(True, alias="SIGNUP_OPEN")

    @field_validator("plans", mode="before")
    @classmethod
    def _plans_json(cls, value: object) -> object:
        # The environment's JSON is parsed by pydantic-settings; a value passed in (tests, overrides) may be JSON too.
        return json.loads(value) if isinstance(value, str) else value

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, url: str) -> str:
        return check_database_url(url)

    @field_validator("redis_url")
    @classmethod
    def _known_redis(cls, url: str | None) -> str | None:
        return check_redis_url(url) if url else None

    @field_validator("whatsapp_api_base_url")
    @classmethod
    def _http_url(cls, url: str) -> str:
        return check_http_url(url)

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, url: str | None) -> str | None:
        return check_http_url(url).rstrip("/") if url else None

    @field_validator("stripe_secret_key", "stripe_webhook_secret", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("stripe_secret_key")
    @classmethod
    def _stripe_key(cls, key: SecretStr | None) -> SecretStr | None:
        if key is not None and not key.get_secret_value().startswith(("sk_", "rk_")):
            raise ValueError("must be a Stripe secret or restricted key (sk_… or rk_…)")
        return key

    @field_validator("stripe_webhook_secret")
    @classmethod
    def _stripe_webhook_secret(cls, secret: SecretStr | None) -> SecretStr | None:
        if secret is not None and not secret.get_secret_value().startswith("whsec_"):
            raise ValueError("must be the endpoint's signing secret (whsec_…)")
        return secret

    @field_validator("whatsapp_token", "whatsapp_app_secret", "whatsapp_verify_token")
    @classmethod
    def _not_blank(cls, secret: SecretStr) -> SecretStr:
        if not secret.get_secret_value().strip():
            raise ValueError("is empty")
        return secret

    @field_validator("secret_key", "metrics_token")
    @classmethod
    def _long_enough(cls, secret: SecretStr | None) -> SecretStr | None:
        if secret is not None and len(secret.get_secret_value().strip()) < 16:
            raise ValueError("must be at least 16 characters (spaces do not count)")
        return secret

    @model_validator(mode="after")
    def _payments_are_whole(self) -> Settings:
        # The demo's sandbox signs with a webhook secret and has no Stripe key.
        if self.mode == "production" and (self.stripe_secret_key is None) != (self.stripe_webhook_secret is None):
            raise ValueError("STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET go together: set both, or neither")
        if self.payments != "off" and self.public_url is None:
            raise ValueError("PUBLIC_URL is required with payments: the chat's payment links start with it")
        return self

    @field_validator("smtp_host", "smtp_username", "mail_from", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _mail_is_whole(self) -> Settings:
        if self.smtp_host is None:
            return self
        if self.mail_from is None or "@" not in self.mail_from:
            raise ValueError("MAIL_FROM (an address such as FitZap <no-reply@example.com>) is required with SMTP_HOST")
        if self.smtp_tls and self.smtp_starttls:
            raise ValueError("SMTP_TLS and SMTP_STARTTLS are two ways to encrypt: set one, or neither")
        if (self.smtp_username is None) != (self.smtp_password is None):
            raise ValueError("SMTP_USERNAME and SMTP_PASSWORD go together: set both, or neither")
        return self

    @model_validator(mode="after")
    def _production_is_real(self) -> Settings:
        if self.mode != "production":
            return self
        for name, demo_value in _DEMO_VALUES.items():
            if getattr(self, name).get_secret_value() == demo_value:
                raise ValueError(f"{name.upper()} still has the demo default; set a real value")
        if self.redis_url is None:
            raise ValueError("REDIS_URL is required in production")
        if self.channel == "sandbox":
            raise ValueError("FITZAP_CHANNEL=sandbox is for the demo only")
        return self

    @property
    def cookie_secure(self) -> bool:
        """Whether the panel's session cookie is sent over HTTPS only."""
        return self.admin_cookie_secure if self.admin_cookie_secure is not None else self.mode == "production"

    @property
    def payments(self) -> Literal["stripe", "sandbox", "off"]:
        """Stripe when its keys are set; the demo's sandbox checkout; else the chat does not sell."""
        if self.stripe_secret_key is not None and self.mode == "production":
            return "stripe"
        return "sandbox" if self.mode == "demo" and self.stripe_webhook_secret is not None else "off"

    @property
    def mail(self) -> Literal["smtp", "sandbox", "off"]:
        """SMTP when SMTP_HOST is set; the demo keeps what it would send for its /sandbox/emails page; else no email."""
        if self.mode == "demo":
            return "sandbox"
        return "smtp" if self.smtp_host is not None else "off"

    def plan_overrides(self) -> dict[str, dict[str, object]]:
        """The configured fields of each plan, for domain.platform.plans.with_overrides."""
        return {name: plan.model_dump(exclude_unset=True) for name, plan in self.plans.items()}

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment (overrides win); raise ConfigError naming the variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise ConfigError(_first_error_line(exc)) from None
    except SettingsError:  # pydantic-settings could not parse a JSON variable
        raise ConfigError("FITZAP_PLANS: is not valid JSON (an object of plans, e.g. {\"starter\": {\"trainers\": 5}})") from None


def load_log_level() -> str:
    """LOG_LEVEL alone, for commands that read no other setting; raise ConfigError naming it."""
    try:
        return LogSettings().log_level
    except ValidationError as exc:
        raise ConfigError(_first_error_line(exc)) from None


def load_production_settings() -> Settings:
    """Settings for `fitzap serve`, `worker` and `scheduler`: demo mode, with its open sandbox, only runs under `fitzap demo`."""
    settings = load_settings()
    if settings.mode == "demo":
        raise ConfigError("FITZAP_MODE: demo runs only under `fitzap demo`; serve, worker and scheduler need production")
    return settings


def demo_settings(data_dir: Path, **overrides: object) -> Settings:
    """Settings for the embedded demo: SQLite in data_dir, no Redis, sandbox channel, data_dir's own secret key."""
    values: dict[str, object] = {
        "FITZAP_MODE": "demo",
        "DATABASE_URL": f"sqlite+aiosqlite:///{(data_dir / 'fitzap.sqlite3').resolve()}",
        "REDIS_URL": None,
        "WHATSAPP_TOKEN": DEMO_TOKEN,
        "WHATSAPP_APP_SECRET": os.environ.get("WHATSAPP_APP_SECRET") or DEMO_APP_SECRET,
        "WHATSAPP_VERIFY_TOKEN": DEMO_VERIFY_TOKEN,
        "SECRET_KEY": os.environ.get("SECRET_KEY") or _demo_secret_key(data_dir),
        "FITZAP_CHANNEL": "sandbox",
        "DELIVERY_BACKOFF_BASE_MS": 200,
        "SWEEP_AFTER_S": 5,
        "STRIPE_WEBHOOK_SECRET": None,
        "PUBLIC_URL": "http://127.0.0.1:8080",
    }
    values.update(overrides)
    # The sandbox checkout signs its events like Stripe, with a secret of this demo's own.
    values["STRIPE_WEBHOOK_SECRET"] = values["STRIPE_WEBHOOK_SECRET"] or demo_webhook_secret(str(values["SECRET_KEY"]))
    try:
        return Settings(**values)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise ConfigError(_first_error_line(exc)) from None
    except SettingsError:
        raise ConfigError("FITZAP_PLANS: is not valid JSON (an object of plans, e.g. {\"starter\": {\"trainers\": 5}})") from None


def demo_webhook_secret(secret_key: str) -> str:
    """The demo's Stripe-style signing secret, derived from its own secret key so no other demo shares it."""
    return "whsec_" + hmac.new(secret_key.encode(), b"fitzap-demo-stripe-webhook", hashlib.sha256).hexdigest()


def _demo_secret_key(data_dir: Path) -> str:
    """The key made on the demo's first start in data_dir (owner-only), reused so cookies and stored tokens stay readable."""
    path = data_dir / DEMO_SECRET_KEY_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_text().strip()
        if len(key) < 16:
            raise ConfigError(f"{path} is not a usable secret key; delete it and the demo makes a new one") from None
        return key
    key = secrets.token_urlsafe(32)
    with os.fdopen(fd, "w") as out:
        out.write(key + "\n")
    return key


def _first_error_line(exc: ValidationError) -> str:
    error = exc.errors()[0]
    field = str(error["loc"][0]) if error["loc"] else ""
    alias = Settings.model_fields[field].alias if field in Settings.model_fields else field
    name = ".".join([alias or field.upper(), *(str(part) for part in error["loc"][1:])])
    if error["type"] == "missing":
        return f"{name} is not set"
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{name}: {message}" if name else message
