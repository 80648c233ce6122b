"""The server-rendered SVG charts: escaped labels, no inline style, points where the data says."""

from service.dashboard.charts import Series, _nice_max, bar_chart, line_chart, sparkline


def test_line_chart_escapes_labels_and_uses_no_inline_style():
    svg = str(
        line_chart([Series("<script>alert(1)</script>", [0.1, None, 0.3])], ["2026-01", "<b>", "2026-03"])
    )
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "&lt;b&gt;" in svg
    assert "style=" not in svg
    assert svg.count("<polyline") == 2  # a gap where the data is missing splits the line


def test_line_chart_scales_to_a_round_top():
    svg = str(line_chart([Series("a", [0.0, 0.24])], ["m1", "m2"], width=200, height=100))
    assert ">25%</text>" in svg  # 0.24 rounds up to a 25% axis top
    assert _nice_max(0.0) == 1.0
    assert _nice_max(730) == 750.0
    assert _nice_max(0.62) == 0.7


def test_sparkline_and_bars():
    assert str(sparkline([])) == ""
    assert str(sparkline([0.5, 0.6])).count("<polyline") == 1
    bars = str(bar_chart([("Very <important>", 0.5), ("Not", 0.1)]))
    assert "&lt;important&gt;" in bars and "50%" in bars and "10%" in bars
