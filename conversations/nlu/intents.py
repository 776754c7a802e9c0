"""Intents from free text: per-locale phrase lists, rapidfuzz typo repair, negation, priorities.

Phrase syntax: words separated by spaces, "a|b" alternatives, "*" = up to 3 any words,
"~regex" = a raw token pattern, a leading "=" = the whole message must be exactly this.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import NamedTuple

from rapidfuzz import fuzz, process

from conversations.nlu.datetimes import _MONTHS, _WD
from conversations.normalise import normalise

_PHRASES = {"pt-BR": """
menu: =menu; menu principal; inicio; opcoes; =opcao; =voltar; voltar ao menu; oi; oie; ola; opa; e ai; eai
menu: bom dia; boa tarde; boa noite; =comecar
help: ajuda; ajudar; socorro; duvida; duvidas; como funciona; nao entendi; o que voce * faz|fazer; como usar; =help
yes: sim; =s; ok; isso; claro; certo; com certeza; beleza; fechado; combinado; confirmo; confirmado; confirmar; confirma
yes: pode ser; pode sim; =pode; bora; perfeito; otimo; show; exato; positivo; uhum; =yes; =top; esta bom|certo|otimo
no: nao; =no; nope; negativo; agora nao; melhor nao; nao obrigado; nao obrigada; deixa pra la; deixa quieto; esquece
cancel: cancelar; cancela; cancele; cancelem; cancelamento; desmarcar; desmarca; desmarque; faltar; vou faltar; cancel
cancel: nao vou conseguir|poder; nao vou ir; nao consigo ir; nao posso ir; nao vou mais
reschedule: remarcar; remarca; remarque; remarcacao; reagendar; reagenda; reagende; reagendamento; outra data
reschedule: mudar|muda|mude|trocar|troca|troque|alterar|altera|passar|passa|transferir * pra|para|pro|horario|data
reschedule: mudar|muda|mude|trocar|troca|troque|alterar|altera|transferir * aula|treino|sessao|agendamento
reschedule: adiar; adia; adiantar; adianta; antecipar; antecipa; outro horario; outro dia; =reschedule
book: marcar; marca; marque; marcaria; agendar; agenda; agende; agendamento; reservar; reserva; reserve; treinar
book: tem vaga|vagas|horario|horarios|aula; vaga; vagas; horario|horarios disponivel|disponiveis|livre|livres
book: aula experimental; avaliacao; posso ir; =book; prefiro; encaixe; encaixar; encaixa; quero|queria|gostaria|posso fazer
my_appointments: meus horarios; meus agendamentos; minhas aulas; minha agenda; minhas reservas; horarios marcados
my_appointments: quando * meu|minha * treino|aula|horario|sessao|avaliacao|agendamento
my_appointments: que horas|dia * meu|minha * treino|aula|horario|sessao|avaliacao|agendamento
my_appointments: qual|quais * meu|minha * horario|aula|agendamento; minha proxima aula; meu proximo treino
my_appointments: tenho aula|treino|horario * marcado|marcada|agendado|agendada; proximas aulas
my_appointments: quais|que aulas|treinos|horarios * tenho
workout_today: treino de|do|da|pra hoje|dia|amanha|segunda|terca|quarta|quinta|sexta|sabado|domingo; treino hoje
workout_today: =treino amanha; =treino; wod; ficha; qual * treino|ficha|wod; o que * treinar; meu programa; minha ficha
workout_today: manda|mandar|envia|enviar|passa|mostra|ver * treino|ficha; treino de amanha qual
log_workout: ~\\d+x\\d+; ~\\d+kgs?; ~\\d+ kg; anota ai; treinei; log; fiz * treino|supino|agachamento|serie|series
log_workout: registrar|registra|anotar|anota|salvar|lancar * treino|exercicio|exercicios
finish_workout: =terminei; =acabei; =finalizei; =conclui; terminei|acabei|finalizei|conclui|encerrei * treino; fim do treino
finish_workout: treino concluido|finalizado|feito|encerrado; =terminei o treino; =acabei o treino; =acabou
meal_today: dieta; cardapio; refeicao; refeicoes; plano alimentar; o que * comer; alimentacao; minha dieta
progress: progresso; evolucao; recordes; recorde; =pr; =prs; meus prs; minhas medidas; como estou indo
challenge: desafio; desafios; ranking; =rank; classificacao
check_in: cheguei; to aqui; estou aqui; to|estou aqui fora; ja cheguei; to|estou na academia; marcar presenca; presenca; check in; checkin
balance: saldo; creditos; credito; quantas|quantos aulas|creditos|treinos|sessoes; aulas restantes; quanto tenho
pay: pagar; paga; pague; pago; pagamento; comprar; compra; pacotes; novo pacote; pix; boleto; cartao; mensalidade
pay: renovar; renova; renovacao; quanto custa; custa; preco; precos; valor; valores; assinar; assinatura; planos
opt_out: =parar; =pare; =para; =stop; =sair; =chega; parar de receber; sair|tirar|remover|tira * lista; descadastrar
opt_out: para|pare|parar|parem de * mandar|enviar|receber|mandando|enviando; stop; descadastra
opt_out: nao quero * mensagem|mensagens|notificacao|notificacoes|lembrete|lembretes
opt_out: nao me * mande|manda|mandem|envie|envia|enviem|mandar|enviar; cancelar * mensagens|notificacoes|inscricao
opt_in: voltar a receber; voltar a * mandar|enviar|receber; receber * de novo; receber novamente; =start
opt_in: quero receber * mensagem|mensagens; ativar * mensagens|notificacoes
human: atendente; humano; =pessoa; pessoa de verdade; pessoa real; tem alguem ai; quero|posso|preciso falar com
human: falar|conversar com * alguem|pessoa|atendente|humano|personal|professor|professora|treinador|recepcao|dono
human: chama|chamar|chame * professor|professora|personal|atendente|alguem|treinador|recepcao; me liga
data_export: meus dados; exportar * dados; copia * dados; quais|que dados; baixar * dados; dados pessoais
data_erase: apagar|apaga|apague|apaguem|excluir|exclui|exclua|excluam|deletar|deleta|delete|deletem * dados|conta
data_erase: remover|remova|removam|esquecer|esqueca|eliminar * dados|conta|cadastro
""", "en": """
menu: =menu; main menu; hi; hello; hey; hiya; good morning; good afternoon; good evening; =options; =back; =home
help: help; how does * work; how do i use; what can you|i do|ask; i do not understand; confused; =support
yes: yes; =y; yeah; yep; yup; ok; sure; of course; sounds good; confirm; confirmed; correct; =right; perfect; great
yes: absolutely; please do; go ahead; alright; =fine
no: no; nope; nah; no thanks; not now; never mind; nevermind; forget it; not really; no way
cancel: cancel; cancellation; call off; can not make it; can not come; will not make it; will not be able
cancel: unable to make it; not coming; can not go; can not attend
reschedule: reschedule; move|push|switch|shift|change * to|session|class|booking|appointment|time|day|it
reschedule: different|another time|day; earlier|later slot
book: book; schedule; reserve; sign me up; sign up; spot; spots; space; slot; slots; opening; openings
book: availability; available; can i come; i want to train; come in; =train; prefer; rather
my_appointments: my bookings; my appointments; my sessions; my classes; my schedule; when is my; what time is my
my_appointments: anything|something booked|scheduled; do i have * booked|scheduled; upcoming
my_appointments: next session|class|appointment|booking
workout_today: workout today; today workout; workout of the day; wod; what * workout; what do i train; my workout
workout_today: training plan; send * workout; workout for; workout tomorrow; my program; tomorrow workout
log_workout: ~\\d+x\\d+; ~\\d+kgs?; ~\\d+ kg; log; register workout; log * workout; did * workout|sets|reps
log_workout: sets of; ~\\d+ sets
finish_workout: =finished; =done; =i am done; =all done; finished * workout|training; done with * workout|training; workout done
meal_today: meal plan; meals; diet; my diet; what * eat; nutrition plan
progress: progress; my records; personal records; my prs; =pr; =prs; how am i doing; my measurements
challenge: challenge; challenges; leaderboard; ranking; =rank
check_in: check in; checkin; checking in; checked in; i am here; i am at the gym; at the gym; just arrived; arrived; here now
check_in: just got here; i am outside
balance: balance; credits; credit; how many * credits|sessions|classes|left; sessions left; classes left; remaining
pay: pay; payment; buy; purchase; renew; renewal; price; prices; pricing; cost; how much; card; invoice; packs
pay: packages; membership
opt_out: =stop; stop sending|messaging|texting|messages; unsubscribe; opt out; no more messages; leave me alone
opt_out: do not send * messages|message|texts; do not message|text * me; remove me * list
opt_in: =start; subscribe; opt in; resume * messages; receive * messages|message; messages again
human: human; talk|speak|chat * human|person|someone|somebody|agent|trainer|staff|coach|manager|owner|real
human: real person; agent; representative; =person
data_export: my data; export * data; copy of * data; download * data; what data; my information; my personal data
data_erase: delete|erase|remove|wipe|forget * data|account|information|info
"""}
TIERS = (("opt_out", "opt_in", "human", "data_export", "data_erase"),
         ("cancel", "reschedule", "book", "pay", "check_in", "log_workout", "finish_workout"),
         ("my_appointments", "workout_today", "meal_today", "balance", "progress", "challenge"), ("help",), ("yes", "no", "menu"))
_NEGATIONS = {"pt-BR": {"nao", "nem", "nunca", "jamais"}, "en": {"not", "no", "never"}}
_KNOWN = set(_WD) | set(_MONTHS) | set(
    "para pra pro pras que como onde quando quanto qual quais porque tudo bem mais menos muito mesmo ainda agora "
    "depois antes aqui tem tenho quero queria gostaria preciso posso pode voce voces cancelei cancelou cancelado "
    "cancelada desmarquei marquei marcou marcado marcada parei treino treinos treinei aula aulas hora horas semana "
    "amanha hoje tarde noite manha proxima proximo obrigado obrigada valeu caro carro academia endereco where "
    "there here when what which time class please thanks thank want would could have make come tomorrow today "
    "plano pacote pack package mensal semanal aluno aluna".split())
_CLAUSES = re.compile(r"[,;!?\n]+|\.(?!\d)|\s+(?:mas|but|porem|porém)\s+", re.IGNORECASE)
_EMOJI = {"👍": " ok ", "👌": " ok ", "✅": " ok ", "🆗": " ok ", "👎": " nope ", "❌": " nope "}


@dataclass(frozen=True)
class IntentMatch:
    """The winning intent (None when nothing matched), its confidence and intents said negated."""

    intent: str | None
    confidence: float
    negated: tuple[str, ...] = ()
    exact: bool = False  # the whole message is one of the lists' exact phrases ("parar", "s", "menu")


def emoji_words(text: str) -> str:
    """The words the emoji of a message stand for ("👍" -> "ok"), which normalising would drop."""
    return " ".join(word.strip() for emoji, word in _EMOJI.items() if emoji in text)


def _token(word: str) -> str:
    return word[1:] if word.startswith("~") else "(?:" + "|".join(map(re.escape, word.split("|"))) + ")"


def _compile(phrase: str) -> str:
    parts, gap = [], False
    for word in phrase.lstrip("=").split():
        if word == "*":
            gap = True
            continue
        parts.append(((r"(?: \S+){0,3} " if gap else " ") if parts else "") + _token(word))
        gap = False
    return "".join(parts)


@cache
def _tables(locales: tuple[str, ...]) -> tuple[dict[str, re.Pattern[str]], dict[str, frozenset[str]], list[str]]:
    phrases: dict[str, list[str]] = {}
    for loc in locales:
        for line in _PHRASES[loc].strip().splitlines():
            intent, _, body = line.partition(":")
            phrases.setdefault(intent.strip(), []).extend(p.strip() for p in body.split(";") if p.strip())
    loose = {i: re.compile(r"(?<!\S)(?:" + "|".join(_compile(p) for p in sorted(
        (p for p in ps if not p.startswith("=")), key=len, reverse=True)) + r")(?!\S)") for i, ps in phrases.items()}
    exact = {i: frozenset(p[1:] for p in ps if p.startswith("=")) for i, ps in phrases.items()}
    vocab = sorted({w for ps in phrases.values() for p in ps for w in re.split(r"[ |=]", p) if w.isalpha()})
    return loose, exact, vocab


def vocabulary(locale: str) -> frozenset[str]:
    """Every word in one locale's phrase lists (used to guess a message's language)."""
    return frozenset(_tables((locale,))[2])


@lru_cache(maxsize=8192)
def _repair(word: str, locales: tuple[str, ...]) -> tuple[str, float]:
    """Typo repair against the keyword vocabulary: ('cancelr', ...) -> ('cancelar', 0.93)."""
    vocab = _tables(locales)[2]
    if len(word) < 4 or not word.isalpha() or word in _KNOWN or word in vocab:
        return word, 1.0
    if (single := re.sub(r"([a-z])\1", r"\1", word)) in vocab:  # "simm", "menuu"
        return single, 0.95
    best = process.extractOne(word, vocab, scorer=fuzz.ratio, score_cutoff=85 if len(word) > 4 else 88)
    if not best or best[0] in (word + "s", word + "es"):  # plurals in the lists are deliberate
        return word, 1.0
    return best[0], best[1] / 100


class _Hit(NamedTuple):
    exact: bool  # the whole message is an exact phrase ("parar", "s"): it wins within its tier
    clause: int
    position: int
    intent: str
    score: float


@lru_cache(maxsize=4096)  # clients send the same short texts ("oi", "sim", "1") over and over
def match_intent(text: str, locales: tuple[str, ...]) -> IntentMatch:
    """Find every phrase per clause; negated ones are dropped; best tier, then last position, wins."""
    loose, exact, _ = _tables(locales)
    for emoji, word in _EMOJI.items():
        text = text.replace(emoji, word)
    whole = " ".join(_repair(w, locales)[0] for w in normalise(text).split())
    hits = [_Hit(True, 0, 0, i, 1.0) for i, words in exact.items() if whole in words]
    negs = set().union(*(_NEGATIONS[loc] for loc in locales))
    negated: list[str] = []
    for c, clause in enumerate(_CLAUSES.split(text)):
        repaired = [_repair(w, locales) for w in normalise(clause).split()]
        s = " ".join(w for w, _ in repaired)
        found = [(m.start(), m.end(), i) for i, rx in loose.items() for m in rx.finditer(s)]
        found = [f for f in found if not any(o[0] <= f[0] and f[1] <= o[1] and o[1] - o[0] > f[1] - f[0] for o in found)]
        used: set[int] = set()  # negation words that negated something are not a "no" of their own
        for a, b, i in ((s[:a].count(" "), s[:b].count(" ") + 1, i) for a, b, i in found):
            before = [k for k in range(max(0, a - 3), a) if repaired[k][0] in negs] if i not in ("no", "yes") else []
            if before:
                negated.append(i)
                used.update(before)
            else:
                hits.append(_Hit(False, c, a, i, min(score for _, score in repaired[a:b])))
        hits = [h for h in hits if not (h.intent == "no" and h.clause == c and not h.exact and h.position in used)]
    for tier in TIERS:
        chosen = sorted((h for h in hits if h.intent in tier), key=lambda h: (h.exact, h.clause, h.position))
        if chosen:
            names = [h.intent for h in chosen]
            if "cancel" in names and "book" in names and names.index("cancel") < len(names) - 1 - names[::-1].index("book"):
                return IntentMatch("reschedule", chosen[-1].score, tuple(negated))  # "desmarca quinta e marca sexta"
            return IntentMatch(chosen[-1].intent, chosen[-1].score, tuple(negated), chosen[-1].exact)
    return IntentMatch("no" if negated else None, 0.7 if negated else 0.0, tuple(negated))
