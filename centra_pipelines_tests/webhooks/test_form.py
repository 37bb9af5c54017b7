"""The receiver's form parser gives exactly what `urllib.parse.parse_qsl` (strict) gives."""

import random
from urllib.parse import parse_qsl, quote_plus

import pytest

from centra_pipelines.webhooks.app import parse_form


def stdlib(text):
    return parse_qsl(text, keep_blank_values=True, strict_parsing=True, encoding="utf-8", errors="strict")


def outcome(parse, text):
    try:
        return parse(text)
    except ValueError:
        return "refused"


@pytest.mark.parametrize("text", [
    "", "payload=", "payload=%7B%22a%22%3A1%7D", "p%61yload=x+y", "a=1&b=2&a=3", "a=%zz", "a=%4", "a=%",
    "a=100%25", "a=%5C%5Cx41", "a=\\x41", "a=\\%41", "a=%C3%A5%E2%82%AC", "a=%C3", "a=%ff", "a=%fF%",
    "a", "a=1&&b=2", "&", "=", "a=b=c", "a=%2B+%20", "a=\\N{DIGIT ONE}", "a=\\u0041%41",
])
def test_same_fields_or_refusal_as_the_standard_library(text):
    assert outcome(parse_form, text) == outcome(stdlib, text)


def test_same_as_the_standard_library_on_random_forms():
    rng = random.Random(6)
    alphabet = "%%%%+&==\\\\xuN{}0123456789abcdefABCDEFgz. "
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 24)))
        assert outcome(parse_form, text) == outcome(stdlib, text), text


def test_decodes_a_quoted_json_payload_with_non_ascii_text():
    payload = '{"events": [{"type": "order", "note": "räksmörgås ✓ 100% \\\\ \\"quoted\\" a+b&c=d"}]}'
    assert parse_form("payload=" + quote_plus(payload)) == [("payload", payload)]
