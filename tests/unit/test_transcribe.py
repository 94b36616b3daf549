"""The Fig. 5 transcriber on a synthetic PDF drawn by the test (no paper needed).

The test draws a diverging bar chart laid out as the paper's Fig. 5 is (vertical gridlines with tick
labels below, a legend of coloured swatches under the axis, row labels at the left, the caption) with
known counts, and checks that :func:`mlmismatch.replication.transcribe.fig5_bars` measures them back,
including absent bars and a count that is not a whole respondent.
"""

from __future__ import annotations

import pytest

from mlmismatch.core.errors import InputError
from mlmismatch.replication import transcribe

UNIT, ZERO, TOP, BOTTOM = 5.0, 200.0, 40.0, 200.0  # points per respondent, x of 0, plot top and bottom
COLOURS = {"Not Important": "#d7191c", "Somewhat Important": "#fdae61", "Important": "#a6d96a",
           "Very Important": "#1a9641"}
ROWS = {"TM: Versioning": {"Not Important": 2, "Somewhat Important": 3, "Important": 10, "Very Important": 16},
        "OE: Computing Resources": {"Not Important": 0, "Somewhat Important": 5, "Important": 12.5, "Very Important": 9},
        "DE: Programming Language": {"Not Important": 1, "Somewhat Important": 0, "Important": 20, "Very Important": 10}}


def draw(path, *, caption="Fig. 5: Survey Responses", legend=True, ticks=True):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    with matplotlib.rc_context({"pdf.fonttype": 42}):
        fig = plt.figure(figsize=(400 / 72, 300 / 72))
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, 400)
        ax.set_ylim(300, 0)  # y grows downwards, as pdfplumber's "top"
        ax.axis("off")
        for v in range(-20, 41, 10):
            x = ZERO + v * UNIT
            ax.plot([x, x], [TOP, BOTTOM], color="#bbbbbb", linewidth=0.5)
            if ticks:
                ax.text(x, BOTTOM + 3, str(v), ha="center", va="top", fontsize=6)
        for i, (label, counts) in enumerate(ROWS.items()):
            y = 60 + 40 * i
            ax.text(95, y, label, ha="right", va="center", fontsize=6)
            left = ZERO
            for answer in ("Somewhat Important", "Not Important"):
                w = counts[answer] * UNIT
                if w:
                    ax.add_patch(Rectangle((left - w, y - 6), w, 12, facecolor=COLOURS[answer], linewidth=0))
                left -= w
            right = ZERO
            for answer in ("Important", "Very Important"):
                w = counts[answer] * UNIT
                if w:
                    ax.add_patch(Rectangle((right, y - 6), w, 12, facecolor=COLOURS[answer], linewidth=0))
                right += w
        if legend:
            x = 40
            for answer, colour in COLOURS.items():
                ax.add_patch(Rectangle((x, BOTTOM + 20), 6, 6, facecolor=colour, linewidth=0))
                ax.text(x + 8, BOTTOM + 23, answer, ha="left", va="center", fontsize=6)
                x += 90
        ax.text(200, 280, caption, ha="center", va="center", fontsize=7)
        fig.savefig(path, format="pdf")
        plt.close(fig)
    return path


@pytest.fixture(scope="module")
def bars(tmp_path_factory):
    return transcribe.fig5_bars(draw(tmp_path_factory.mktemp("fig5") / "paper.pdf"))


def test_every_bar_is_measured_back(bars):
    assert list(bars.columns) == transcribe.COLUMNS
    assert list(dict.fromkeys(bars["row"])) == list(ROWS)
    got = {(r.row, r.answer): r.count for r in bars.itertuples()}
    assert got == pytest.approx({(row, a): float(n) for row, counts in ROWS.items() for a, n in counts.items()}, abs=0.01)


def test_absent_bars_are_rows_with_count_zero(bars):
    absent = bars[bars["width_pt"] == 0]
    assert set(zip(absent["row"], absent["answer"])) == {("OE: Computing Resources", "Not Important"),
                                                          ("DE: Programming Language", "Somewhat Important")}
    assert (absent["count"] == 0).all() and absent["x0"].isna().all()


def test_a_fractional_bar_is_flagged_by_its_distance_to_a_whole_respondent(bars):
    half = bars[(bars["row"] == "OE: Computing Resources") & (bars["answer"] == "Important")].iloc[0]
    assert half["count"] == pytest.approx(12.5, abs=0.01)
    assert half["off"] == pytest.approx(0.5, abs=0.01)
    assert (bars.loc[bars.index != half.name, "off"] < 0.01).all()


@pytest.mark.parametrize("kwargs, message", [
    ({"caption": "Fig. 4: Something else"}, "no page has the caption"),
    ({"legend": False}, "legend not understood"),
    ({"ticks": False}, "no tick labels"),
])
def test_a_pdf_without_the_figure_gives_one_located_line(tmp_path, kwargs, message):
    path = draw(tmp_path / "other.pdf", **kwargs)
    with pytest.raises(InputError, match=message) as info:
        transcribe.fig5_bars(path)
    assert "other.pdf" in str(info.value) and "\n" not in str(info.value)


def test_a_file_that_is_not_a_pdf(tmp_path):
    path = tmp_path / "paper.pdf"
    path.write_bytes(b"not a pdf at all")
    with pytest.raises(InputError, match="not a readable PDF"):
        transcribe.fig5_bars(path)


def test_the_script_prints_csv_and_exits_2_on_bad_input(tmp_path, capsys):
    assert transcribe.main([str(draw(tmp_path / "paper.pdf"))]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == ",".join(transcribe.COLUMNS) and "TM: Versioning" in out
    (tmp_path / "bad.pdf").write_bytes(b"%PDF-1.4 broken")
    assert transcribe.main([str(tmp_path / "bad.pdf")]) == 2
    assert capsys.readouterr().err.startswith("error: ")
