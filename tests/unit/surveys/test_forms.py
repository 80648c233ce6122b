import pytest

from surveys.answers import missing_required, read_page
from surveys.questions import DefinitionError, is_visible, validate_definitions


def q(code, kind="single", page=1, position=1, **kw):
    options = kw.pop(
        "options",
        [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}]
        if kind in ("single", "multiple")
        else [],
    )
    return {
        "code": code,
        "kind": kind,
        "page": page,
        "position": position,
        "options": options,
        "required": False,
        "show_if": None,
        "text": code,
        **kw,
    }


def test_read_page_parses_each_kind():
    questions = [
        q("s"),
        q("m", "multiple", position=2),
        q("r", "rating", position=3),
        q("t", "text", position=4),
        q("n", "number", position=5, options=[{"min": 0, "max": 10, "integer": True}]),
    ]
    form = {"q_s": ["b"], "q_m": ["b", "a", "b"], "q_r": ["5"], "q_t": ["  hello  "], "q_n": ["7"]}
    values, errors = read_page(questions, form, {}, "en", check_required=True)
    assert errors == {}
    assert values == {"s": "b", "m": ["a", "b"], "r": "5", "t": "hello", "n": 7}


def test_read_page_errors_per_field_in_the_page_language():
    questions = [
        q("s", required=True),
        q("n", "number", options=[{"min": 0, "max": 10, "integer": True}]),
        q("x", options=[{"value": "a", "label": "A"}, {"value": "b", "label": "B"}]),
        q("r", "rating"),
    ]
    form = {"q_n": ["2.5"], "q_x": ["zzz"], "q_r": ["6"]}
    _, errors = read_page(questions, form, {}, "es", check_required=True)
    assert errors == {
        "s": "Responda esta pregunta.",
        "n": "Escriba un número entero, por ejemplo 12.",
        "x": "Elija una de las opciones.",
        "r": "Elija una de las opciones.",
    }
    _, errors = read_page(questions, {"q_n": ["11"]}, {}, "en", check_required=False)
    assert errors == {"n": "Enter a number of at most 10."}
    _, errors = read_page(questions, {"q_n": ["abc"]}, {}, "en", check_required=False)
    assert errors == {"n": "Enter a whole number, like 12."}


def test_show_if_hides_and_clears():
    cond = q("follow", "text", page=2, show_if={"code": "s", "in": ["a"]})
    assert is_visible(cond, {"s": "a"}) and not is_visible(cond, {"s": "b"}) and not is_visible(cond, {})
    assert is_visible({**cond, "show_if": {"code": "m", "in": ["b"]}}, {"m": ["a", "b"]})
    values, errors = read_page([cond], {"q_follow": ["text"]}, {"s": "b"}, "en", check_required=True)
    assert values == {"follow": None} and errors == {}
    assert missing_required([{**cond, "required": True}], {"s": "b"}) == []
    assert missing_required([{**cond, "required": True}], {"s": "a"}) == [{**cond, "required": True}]


@pytest.mark.parametrize(
    ("questions", "message"),
    [
        ([q("a"), q("a", position=2)], "used twice"),
        ([q("a", "single", options=[{"value": "x", "label": "X"}])], "at least 2 options"),
        (
            [q("a", "text", page=2, show_if={"code": "b", "in": ["a"]}), q("b", position=2)],
            "not an earlier question",
        ),
        ([q("a"), q("b", "text", position=2, show_if={"code": "a", "in": ["a"]})], "earlier page"),
        ([q("a"), q("b", "text", page=2, position=2, show_if={"code": "a", "in": ["zzz"]})], "not options"),
        (
            [q("a", "text"), q("b", "text", page=2, position=2, show_if={"code": "a", "in": ["x"]})],
            "choice or rating",
        ),
        ([q("n", "number", options=[{"min": 5, "max": 1}])], "min_value is above"),
    ],
)
def test_definition_errors(questions, message):
    with pytest.raises(DefinitionError, match=message):
        validate_definitions(questions)
