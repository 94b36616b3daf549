"""The Fig. 5 transcription reruns: bars measured from the paper's PDF equal paper/published/claims.csv."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration


def test_fig5_bars_measured_from_the_pdf_equal_the_transcription(paper_path):
    from mlmismatch.replication import transcribe

    bars = transcribe.fig5_bars(paper_path)
    assert len(bars) == 34 * 4
    drawn = bars[bars["width_pt"] > 0]
    assert drawn["off"].max() < 0.25  # every drawn bar is within a quarter respondent of an integer
    assert bars.groupby("row")["rounded"].sum().eq(31).all()  # every row adds up to the 31 respondents
    compared = transcribe.compare_with_claims(bars)
    assert len(compared) == 136
    assert compared["agrees"].all(), compared[~compared["agrees"]].to_string()


def test_the_script_prints_csv(paper_path, capsys):
    from mlmismatch.replication import transcribe

    assert transcribe.main([str(paper_path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == ",".join(transcribe.COLUMNS) and len(out) == 137


def test_a_file_that_is_not_the_paper_gets_one_line(tmp_path):
    from mlmismatch.core.errors import InputError
    from mlmismatch.replication import transcribe

    bad = tmp_path / "x.pdf"
    bad.write_bytes(b"not a pdf")
    with pytest.raises(InputError) as exc:
        transcribe.fig5_bars(bad)
    assert "x.pdf" in str(exc.value) and "\n" not in str(exc.value)
