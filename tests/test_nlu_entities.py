"""Services named in any order, by a prefix, a near spelling or a name staff gave them."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from conversations.nlu.entities import names_a_session, services_named


@dataclass
class S:
    name: str
    aliases: str = ""


SERVICES = [S("Personal 30 min"), S("Personal 60 min"), S("Avaliação física"), S("Spinning", "bike, spin bike"),
            S("Pilates solo"), S("Funcional")]


@pytest.mark.parametrize(("text", "want"), [
    ("30 min personal amanhã 7h", "Personal 30 min"), ("personal de 60 min", "Personal 60 min"),
    ("queria marcar uma avaliação", "Avaliação física"), ("avaliacao fisica sexta", "Avaliação física"),
    ("spin tomorrow 7pm", "Spinning"), ("tem bike hj?", "Spinning"), ("aula de pilatis quarta", "Pilates solo"),
    ("FUNCIONAL amanha cedo", "Funcional"), ("can I get a spinning class thursday at 7pm", "Spinning"),
])
def test_a_service_is_found_whatever_the_order_abbreviation_or_spelling(text: str, want: str) -> None:
    assert [s.name for s in services_named(text, SERVICES)] == [want]


def test_a_message_naming_no_service_or_two_equally_gets_no_single_answer() -> None:
    assert services_named("quero marcar amanhã 7h", SERVICES) == []
    assert {s.name for s in services_named("personal amanha", SERVICES)} == set()
    assert len(services_named("personal min", SERVICES)) == 2
    assert names_a_session("quero um treino amanhã") and not names_a_session("spinning amanhã")
