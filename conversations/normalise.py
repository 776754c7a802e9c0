"""Text normalisation before matching: lower case, no accents, no emoji, single spaces.

WhatsApp abbreviations are expanded ("vc" -> "voce", "hj" -> "hoje", "dont" -> "do not");
times glued to digits ("18h30", "7am", "12:30", "25/12") survive; ":" and "/" only between digits.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NOT_WORD = re.compile(r"[^a-z0-9:/ ]+|(?<!\d)[:/]|[:/](?!\d)")
_SPACES = re.compile(r"\s+")
_APOSTROPHE = re.compile(r"(?<=[a-z])['’´`](?=[a-z])")
_DOTTED_TIME = re.compile(r"\b(\d{1,2})\.(\d{2})(?=\s*(?:am|pm|h)\b)")
_LETTER_RUNS = re.compile(r"([a-z])\1{2,}")

ABBREVIATIONS: dict[str, str] = {
    # pt-BR
    "vc": "voce", "vcs": "voces", "q": "que", "pq": "porque", "blz": "beleza", "tb": "tambem",
    "tbm": "tambem", "hj": "hoje", "amanhan": "amanha", "amnh": "amanha", "amh": "amanha",
    "amanah": "amanha", "amanhaa": "amanha", "manhan": "manha", "qdo": "quando", "qnd": "quando",
    "qndo": "quando", "qd": "quando", "pf": "por favor", "pfv": "por favor", "pfvr": "por favor",
    "msg": "mensagem", "msgs": "mensagens", "td": "tudo", "tds": "todos", "cmg": "comigo",
    "qro": "quero", "qto": "quanto", "qnto": "quanto", "qtas": "quantas", "qtos": "quantos",
    "obg": "obrigado", "vlw": "valeu", "dps": "depois", "mto": "muito", "mt": "muito",
    "n": "nao", "nn": "nao", "ss": "sim", "eh": "e", "oq": "o que", "ta": "esta",
    "sab": "sabado", "hrs": "horas", "hr": "hora", "min": "minutos", "mins": "minutos",
    "ngm": "ninguem", "agr": "agora", "aq": "aqui", "qnts": "quantos", "qnt": "quanto", "qts": "quantos",
    "c": "com",
    # en
    "tmrw": "tomorrow", "tmr": "tomorrow", "tmw": "tomorrow", "tomorow": "tomorrow",
    "tommorow": "tomorrow", "tommorrow": "tomorrow", "2moro": "tomorrow", "2morrow": "tomorrow",
    "u": "you", "ur": "your", "pls": "please", "plz": "please", "thx": "thanks", "ty": "thanks",
    "dont": "do not", "cant": "can not", "cannot": "can not", "wont": "will not",
    "didnt": "did not", "doesnt": "does not", "isnt": "is not", "im": "i am", "id": "i would",
    "whats": "what is", "todays": "today", "tomorrows": "tomorrow", "tonite": "tonight",
    "okay": "ok", "okk": "ok", "resched": "reschedule",
}


@lru_cache(maxsize=4096)  # each message is normalised several times over (intents, clauses, dates, locale)
def normalise(text: str) -> str:
    """'Olá!! 😀 Bom DIA' -> 'ola bom dia'; 'vc pode amanhã 18h30?' -> 'voce pode amanha 18h30'."""
    lowered = _DOTTED_TIME.sub(r"\1:\2", _APOSTROPHE.sub("", text.lower()))
    decomposed = unicodedata.normalize("NFKD", lowered)
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch) and ord(ch) < 128)
    words = _LETTER_RUNS.sub(r"\1", _NOT_WORD.sub(" ", ascii_only)).split()
    return _SPACES.sub(" ", " ".join(ABBREVIATIONS.get(word, word) for word in words)).strip()
