"""The simulator's bubbles read like WhatsApp's: its formatting markers become tags, and nothing a client or the bot
wrote ever becomes markup of its own."""
from __future__ import annotations

import pytest

from admin.simulator_format import whatsapp_html


@pytest.mark.parametrize(("text", "html"), [
    ("*bold*", "<strong>bold</strong>"),
    ("_italic_", "<em>italic</em>"),
    ("~strike~", "<s>strike</s>"),
    ("```mono```", "<code>mono</code>"),
    ("```\nline 1\nline 2\n```", "<pre>line 1\nline 2</pre>"),
    ("run `fitzap demo` now", "run <code>fitzap demo</code> now"),
    ("Confirm? *Personal 60 min* às 10:00", "Confirm? <strong>Personal 60 min</strong> às 10:00"),
    ("*_both_*", "<strong><em>both</em></strong>"),
    ("(*Ação*), _sim_!", "(<strong>Ação</strong>), <em>sim</em>!"),
    ("```*not bold* inside```", "<code>*not bold* inside</code>"),
])
def test_whatsapp_markers_become_tags(text, html):
    assert whatsapp_html(text) == html


@pytest.mark.parametrize("text", [
    "2*3*4 = 24", "snake_case_name", "* not bold *", "*not\nacross lines*", "**", "~", "R$ 150,00 - 10% off",
])
def test_markers_inside_words_or_around_spaces_stay_as_typed(text):
    assert whatsapp_html(text) == text


@pytest.mark.parametrize(("text", "html"), [
    ("*<script>*", "<strong>&lt;script&gt;</strong>"),
    ("*<script>alert(1)</script>*", "<strong>&lt;script&gt;alert(1)&lt;/script&gt;</strong>"),
    ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
    ("_\"quoted\" & 'single'_", "<em>&#34;quoted&#34; &amp; &#39;single&#39;</em>"),
    ("```</pre><script>x</script>```", "<code>&lt;/pre&gt;&lt;script&gt;x&lt;/script&gt;</code>"),
    ("`<b>`", "<code>&lt;b&gt;</code>"),
    ("javascript:alert(1)", "javascript:alert(1)"),
])
def test_the_texts_own_markup_is_escaped_before_it_is_formatted(text, html):
    assert whatsapp_html(text) == html


def test_links_are_clickable_whole_and_keep_their_underscores():
    assert whatsapp_html("Pay here: http://127.0.0.1:8080/pay/ab_cd_ef.") == (
        'Pay here: <a href="http://127.0.0.1:8080/pay/ab_cd_ef" target="_blank" rel="noopener noreferrer">'
        "http://127.0.0.1:8080/pay/ab_cd_ef</a>.")


def test_a_link_cannot_break_out_of_its_attribute():
    html = str(whatsapp_html('https://x.test/"onmouseover="alert(1)'))  # Markup's own `in` would escape the needle
    assert '"onmouseover' not in html
    assert html.startswith('<a href="https://x.test/&#34;onmouseover=&#34;alert(1" ')
