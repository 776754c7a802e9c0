"""Understanding client messages: intents, dates and times in pt-BR and en. Pure and fast."""
from conversations.nlu.datetimes import ParsedWhen, parse_datetime
from conversations.nlu.intents import IntentMatch, match_intent
from conversations.nlu.understand import INTENTS, Understanding, locale_of, taught_intent, understand

__all__ = ["INTENTS", "IntentMatch", "ParsedWhen", "Understanding", "locale_of", "match_intent",
           "parse_datetime", "taught_intent", "understand"]
