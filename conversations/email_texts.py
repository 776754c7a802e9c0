"""What FitZap's mails say, in pt-BR and English: a panel user's password reset, a client's booking confirmation,
a booking moved or cancelled by the studio, a payment link."""
from __future__ import annotations

from datetime import datetime

from conversations.dates import when
from domain.messaging.emails import EmailDraft, TextAttachment

_RESET = {
    "pt-BR": ("Redefinir sua senha do FitZap",
              "Olá, {name}!\n\n"
              "Recebemos um pedido para redefinir a senha do seu acesso ao painel do FitZap ({business}).\n"
              "Para escolher uma nova senha, abra este link (vale por {minutes} minutos e funciona uma única vez):\n\n"
              "{link}\n\n"
              "Se não foi você, ignore este e-mail: sua senha continua a mesma.\n"),
    "en": ("Reset your FitZap password",
           "Hello {name},\n\n"
           "Someone asked to reset the password of your FitZap panel login ({business}).\n"
           "To choose a new password, open this link (it works once, for {minutes} minutes):\n\n"
           "{link}\n\n"
           "If it was not you, ignore this email: your password stays as it is.\n"),
}

_BOOKED = {
    "pt-BR": ("Agendamento confirmado: {service} {when}",
              "Olá, {name}!\n\n"
              "{business} agendou para você: {service} {when}, com {trainer}.\n"
              "O convite em anexo (.ics) coloca o horário na sua agenda.\n\n"
              "Para remarcar ou cancelar, fale com {business}.\n"),
    "en": ("Booking confirmed: {service} {when}",
           "Hello {name},\n\n"
           "{business} booked you in: {service} {when}, with {trainer}.\n"
           "The attached invitation (.ics) puts it in your calendar.\n\n"
           "To reschedule or cancel, contact {business}.\n"),
}


_SIGNUP = {
    "pt-BR": ("Confirme seu e-mail para criar {business} no FitZap",
              "Olá, {name}!\n\n"
              "Para criar {business} no FitZap, confirme seu e-mail abrindo este link (vale por {hours} horas e funciona "
              "uma única vez):\n\n"
              "{link}\n\n"
              "Depois, o painel mostra o passo a passo para conectar seu número de WhatsApp.\n"
              "Se não foi você, ignore este e-mail: nada é criado sem a confirmação.\n"),
    "en": ("Confirm your email to create {business} on FitZap",
           "Hello {name},\n\n"
           "To create {business} on FitZap, confirm your email by opening this link (it works once, for {hours} hours):\n\n"
           "{link}\n\n"
           "The panel then walks you through connecting your WhatsApp number.\n"
           "If it was not you, ignore this email: nothing is created without the confirmation.\n"),
}

_SIGNUP_TAKEN = {
    "pt-BR": ("Você já tem acesso ao FitZap",
              "Olá, {name}!\n\n"
              "Alguém tentou criar uma conta no FitZap com este e-mail, mas ele já tem acesso ao painel.\n"
              "Entre em {login}\n"
              "Esqueceu a senha? Peça uma nova em {reset}\n\n"
              "Se não foi você, ignore este e-mail.\n"),
    "en": ("You already have a FitZap login",
           "Hello {name},\n\n"
           "Someone tried to sign up for FitZap with this email, but it already has a panel login.\n"
           "Log in at {login}\n"
           "Forgot the password? Ask for a new one at {reset}\n\n"
           "If it was not you, ignore this email.\n"),
}
_MOVED = {
    "pt-BR": ("Agendamento remarcado: {service} {when}",
              "Olá, {name}!\n\n"
              "{business} remarcou seu horário: {service} passou de {old} para {when}, com {trainer}.\n"
              "O convite em anexo (.ics) atualiza o horário na sua agenda.\n\n"
              "Para remarcar ou cancelar, fale com {business}.\n"),
    "en": ("Booking moved: {service} {when}",
           "Hello {name},\n\n"
           "{business} moved your session: {service} is now {when} (it was {old}), with {trainer}.\n"
           "The attached invitation (.ics) updates it in your calendar.\n\n"
           "To reschedule or cancel, contact {business}.\n"),
}

_CANCELLED = {
    "pt-BR": ("Agendamento cancelado: {service} {when}",
              "Olá, {name}!\n\n"
              "{business} cancelou seu horário: {service} {when}.{reason}{credit}\n"
              "O arquivo em anexo (.ics) tira o horário da sua agenda.\n\n"
              "Para agendar outro horário, fale com {business}.\n"),
    "en": ("Booking cancelled: {service} {when}",
           "Hello {name},\n\n"
           "{business} cancelled your session: {service} {when}.{reason}{credit}\n"
           "The attached file (.ics) takes it off your calendar.\n\n"
           "To book another time, contact {business}.\n"),
}
_PAY_LINK = {
    "pt-BR": ("Link de pagamento: {product} · {price}",
              "Olá, {name}!\n\n"
              "{business} enviou o link para você pagar {product} ({price}):\n\n"
              "{link}\n\n"
              "Assim que o pagamento cair, {business} fica sabendo.\n"),
    "en": ("Payment link: {product} · {price}",
           "Hello {name},\n\n"
           "{business} sent you the link to pay for {product} ({price}):\n\n"
           "{link}\n\n"
           "{business} hears as soon as the payment is in.\n"),
}
_REASON = {"pt-BR": " Motivo: {reason}.", "en": " Reason: {reason}."}
_CREDIT = {"pt-BR": {"refunded": " Seu crédito voltou.", "late": " Como foi em cima da hora, o crédito não é devolvido."},
           "en": {"refunded": " Your credit is back.", "late": " As it was last-minute, the credit isn't refunded."}}


_DIGEST = {
    "pt-BR": "Seu resumo de {day} — {business}",
    "en": "Your summary for {day} — {business}",
}


_SOMEONE = {"pt-BR": "cliente", "en": "there"}  # the greeting's name when the client's is unknown


def _locale(locale: str | None) -> str:
    return "en" if (locale or "").lower().startswith("en") else "pt-BR"


def password_reset(to: str, name: str, business: str, link: str, minutes: int, locale: str | None) -> EmailDraft:
    subject, body = _RESET[_locale(locale)]
    return EmailDraft(to=to, subject=subject, kind="password_reset",
                      body=body.format(name=name, business=business, link=link, minutes=minutes))


def booking_confirmation(to: str, name: str, business: str, service: str, starts_at: datetime, tz: str, trainer: str,
                         locale: str | None, ics: bytes) -> EmailDraft:
    lang = _locale(locale)
    subject, body = _BOOKED[lang]
    shown = when(starts_at, tz, lang)
    values = {"name": name or _SOMEONE[lang], "business": business, "service": service, "when": shown, "trainer": trainer}
    invitation = TextAttachment("booking.ics", "text/calendar; method=PUBLISH", ics.decode())
    return EmailDraft(to=to, subject=subject.format(**values), body=body.format(**values), kind="booking_confirmation",
                      attachments=(invitation,))


def booking_moved(to: str, name: str, business: str, service: str, old: datetime, new: datetime, tz: str, trainer: str,
                  locale: str | None, ics: bytes) -> EmailDraft:
    """The studio moved a booking: the new time, and the .ics that replaces the calendar's copy (same UID)."""
    lang = _locale(locale)
    subject, body = _MOVED[lang]
    values = {"name": name or _SOMEONE[lang], "business": business, "service": service, "when": when(new, tz, lang),
              "old": when(old, tz, lang), "trainer": trainer}
    invitation = TextAttachment("booking.ics", "text/calendar; method=PUBLISH", ics.decode())
    return EmailDraft(to=to, subject=subject.format(**values), body=body.format(**values), kind="booking_moved",
                      attachments=(invitation,))


def booking_cancelled(to: str, name: str, business: str, service: str, starts_at: datetime, tz: str, locale: str | None,
                      ics: bytes, *, refunded: bool, late: bool, reason: str | None) -> EmailDraft:
    """The studio cancelled a booking: what happened to the credit, and the .ics (METHOD:CANCEL) that removes it."""
    lang = _locale(locale)
    subject, body = _CANCELLED[lang]
    credit = _CREDIT[lang]["refunded"] if refunded else _CREDIT[lang]["late"] if late else ""
    values = {"name": name or _SOMEONE[lang], "business": business, "service": service, "when": when(starts_at, tz, lang),
              "reason": _REASON[lang].format(reason=reason.strip().rstrip(".")) if reason and reason.strip() else "",
              "credit": credit}
    cancellation = TextAttachment("booking.ics", "text/calendar; method=CANCEL", ics.decode())
    return EmailDraft(to=to, subject=subject.format(**values), body=body.format(**values), kind="booking_cancelled",
                      attachments=(cancellation,))


def payment_link(to: str, name: str, business: str, product: str, price: str, link: str, locale: str | None) -> EmailDraft:
    """A payment link the studio made for a client WhatsApp cannot reach with it (no template carries a link)."""
    lang = _locale(locale)
    subject, body = _PAY_LINK[lang]
    values = {"name": name or _SOMEONE[lang], "business": business, "product": product, "price": price, "link": link}
    return EmailDraft(to=to, subject=subject.format(**values), body=body.format(**values), kind="payment_link")


def trainer_digest(to: str, business: str, day: str, text: str, locale: str | None) -> EmailDraft:
    """The trainer's daily digest by email: the chat's words, without WhatsApp's *bold* marks."""
    return EmailDraft(to=to, subject=_DIGEST[_locale(locale)].format(day=day, business=business), kind="digest",
                      body=text.replace("*", "") + "\n")


def signup_confirmation(to: str, name: str, business: str, link: str, hours: int, locale: str | None) -> EmailDraft:
    subject, body = _SIGNUP[_locale(locale)]
    return EmailDraft(to=to, subject=subject.format(business=business), kind="signup_confirmation",
                      body=body.format(name=name, business=business, link=link, hours=hours))


def signup_taken(to: str, name: str, login: str, reset: str, locale: str | None) -> EmailDraft:
    """The answer to a sign-up with an email that has a login: where to log in instead (no new link)."""
    subject, body = _SIGNUP_TAKEN[_locale(locale)]
    return EmailDraft(to=to, subject=subject, kind="signup_taken", body=body.format(name=name, login=login, reset=reset))
