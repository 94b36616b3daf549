"""``mlmismatch code template|agreement|merge|export-qdc|import-qdpx`` and ``mlmismatch suggest``.

Extending the taxonomy: code a new round, measure agreement, merge with the study, exchange the
codebook with QDA tools, and get code suggestions. Heavy imports happen inside the commands.
"""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from mlmismatch.cli.app import app, code_app
from mlmismatch.cli.common import (SEED_RANGE, check_int, console, err_console, load_coding, print_table, say, state,
                                   store, warn)

#: The most bootstrap resamples (--boot); --permutations allows ten times as many.
MAX_RESAMPLES = 100_000
_EXT_HELP = "Extension codebook (CSV or .xlsx: category, subcategory, description[, category_code])."


def _warn(lines) -> None:
    for line in lines:
        warn(line)


def _round(files: list[Path], extension: Optional[Path], coder: Optional[str] = None):
    from mlmismatch.extend.rounds import read_round

    data = load_coding()
    rnd = read_round(files, data.codebook, extension=extension, coder=coder)
    _warn(rnd.warnings)
    return data, rnd


@code_app.command("template")
def template(
    out: Path = typer.Argument(..., help="The coding workbook to write (.xlsx)."),
    mismatches: Optional[Path] = typer.Option(
        None, "--mismatches", "-m", help="CSV of the new mismatches: mismatch_id[, interview, description, info_not_communicated]."),
    extension: Optional[Path] = typer.Option(None, "--extension", "-e", help=_EXT_HELP),
    coder: Optional[str] = typer.Option(None, "--coder", help="Pre-fill the Coder column with this name."),
    interviews: int = typer.Option(1, "--interviews", help="Without --mismatches: how many interview sheets."),
    rows: int = typer.Option(10, "--rows", help="Without --mismatches: mismatch rows per interview sheet."),
    first_interview: int = typer.Option(21, "--first-interview", help="Without --mismatches: number of the first interview (ids M21-01, ...)."),
    suggest: bool = typer.Option(False, "--suggest", help="Pre-fill the classifier's suggested codes for coders to confirm."),
    seed: int = typer.Option(0, "--seed", help="Seed of the classifier."),
    teaching: bool = typer.Option(
        False, "--teaching", help="The packaged teaching examples (data/teaching/): their mismatches and extension codebook, "
                                  "unless --mismatches or --extension name others."),
) -> None:
    """Write a blank coding workbook in the study's layout, with drop-down lists for the code columns."""
    from mlmismatch.extend import template as tpl
    from mlmismatch.extend.rounds import INTERVIEW_RANGE, combined_codebook, read_extension

    if teaching:
        from mlmismatch.extend.classroom import teaching_path

        mismatches = mismatches or teaching_path("mismatches.csv")
        extension = extension or teaching_path("extension.csv")
    lo, hi = INTERVIEW_RANGE
    check_int("--rows", rows, 1, 999)
    check_int("--first-interview", first_interview, lo, hi)
    check_int("--interviews", interviews, 1, hi - first_interview + 1)
    check_int("--seed", seed, *SEED_RANGE)
    if out.suffix.lower() != ".xlsx":
        from mlmismatch.core.errors import InputError, Location

        raise InputError(f"output '{out.name}' is not an .xlsx file", Location(file=out.name), expected="a path ending in .xlsx")
    data = load_coding()
    ext = read_extension(extension, data.codebook) if extension else None
    book = combined_codebook(data.codebook, ext)
    mism = tpl.read_mismatch_list(mismatches) if mismatches else tpl.blank_mismatches(interviews, rows, first_interview)
    sugg = None
    if suggest:
        from mlmismatch.extend.suggest import NOTICE, train_on_study

        sugg = tpl.suggestions_for(train_on_study(data, seed=seed), mism)
        if not sugg:
            _warn(["--suggest: no mismatch has a description to suggest codes for"])
        else:
            err_console().print(f"[yellow]{NOTICE}[/yellow]", soft_wrap=True)
    tpl.write_template(out, book, mism, coder=coder, suggestions=sugg)
    say(f"wrote {out} ({len(mism)} mismatch rows, {len(book)} codes"
                  + (f", {len(ext)} from the extension" if ext is not None and len(ext) else "")
                  + (f", suggestions pre-filled for {len(sugg)}" if sugg else "") + ")")


@code_app.command("agreement")
def agreement_cmd(
    files: List[Path] = typer.Argument(..., help="The round: one file with a coder column, or one file per coder (.xlsx, .csv, .qdpx)."),
    extension: Optional[Path] = typer.Option(None, "--extension", "-e", help=_EXT_HELP),
    level: str = typer.Option("both", "--level", help="category, subcategory or both."),
    n_boot: int = typer.Option(1000, "--boot", help="Bootstrap resamples for the intervals."),
    seed: int = typer.Option(0, "--seed", help="Seed of the bootstrap."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Folder for agreement.csv and disagreements.csv (and the class tables with --key)."),
    all_codes: bool = typer.Option(False, "--all", help="Print every code's rows, not only the overall ones and the categories."),
    key: Optional[Path] = typer.Option(
        None, "--key", help="An answer key (one coder's codes, .csv, .xlsx or .qdpx): compare every coder of FILES with it, "
                            "per student and per code; the agreement statistics are then those among the students."),
    teaching: bool = typer.Option(
        False, "--teaching", help="The packaged teaching examples' answer key and extension codebook (data/teaching/) as --key and --extension."),
    hardest: int = typer.Option(5, "--hardest", help="With --key: how many of the hardest codes to print."),
) -> None:
    """Inter-coder agreement (Cohen's kappa, Fleiss' kappa, Krippendorff's alpha) with bootstrap intervals.

    With --key (or --teaching), a class report: each student against the answer key, and the codes
    the class found hardest.
    """
    from mlmismatch.core.errors import InputError
    from mlmismatch.core.writers import write_csv

    check_int("--boot", n_boot, 1, MAX_RESAMPLES)
    check_int("--seed", seed, *SEED_RANGE)
    levels = {"both": ("category", "subcategory"), "category": ("category",), "subcategory": ("subcategory",)}.get(level)
    if levels is None:
        raise InputError(f"unknown level '{level}'", expected="category, subcategory or both")
    if teaching:
        from mlmismatch.extend.classroom import teaching_path

        key = key or teaching_path("answer_key.csv")
        extension = extension or teaching_path("extension.csv")
    paths = list(dict.fromkeys([*files, *([key] if key else [])]))
    _, rnd = _round(paths, extension)
    codings = rnd.codings
    summary = None
    if key:
        from mlmismatch.extend.classroom import class_summary, key_coder

        key_name = key_coder(codings, key)
        summary = class_summary(codings, rnd.codebook, key_name, levels=levels)
        _warn(summary.notes)
        _print_class(summary, hardest)
        codings = codings[codings["coder"] != key_name]
    res = None
    if not key or codings["coder"].nunique() >= 2:
        from mlmismatch.extend.agreement import agreement

        res = agreement(codings, rnd.codebook, levels=levels, n_boot=n_boot, seed=seed)  # one coder: a one-line error
        _warn(res.notes)
        _print_agreement(res, all_codes, n_boot, seed, among="students" if key else "coders")
    else:
        _warn(["one student only: no agreement among students to compute"])
    if out:
        from mlmismatch.extend.agreement import disagreements

        written = []
        if res is not None:
            written.append(write_csv(out / "agreement.csv", res.summary, spreadsheet_safe=True))
        written.append(write_csv(out / "disagreements.csv", disagreements(rnd.codings), spreadsheet_safe=True))
        if summary is not None:
            written += [write_csv(out / "class_students.csv", summary.students, spreadsheet_safe=True),
                        write_csv(out / "class_codes.csv", summary.codes, spreadsheet_safe=True),
                        write_csv(out / "class_mismatches.csv", summary.mismatches, spreadsheet_safe=True)]
        say(f"wrote {', '.join(p.name for p in written)} to {out}")


def _print_agreement(res, all_codes: bool, n_boot: int, seed: int, among: str) -> None:
    import pandas as pd

    s = res.summary
    shown = s if all_codes else s[(s.scope == "overall") | (s.level == "category")]
    rows: dict[tuple, dict] = {}
    for r in shown.itertuples(index=False):
        row = rows.setdefault((r.level, r.code), {"level": r.level, "code": r.code})
        cell = "" if r.estimate != r.estimate else f"{r.estimate:.3f}"
        if cell and r.ci_low == r.ci_low:
            cell += f" [{r.ci_low:.2f}, {r.ci_high:.2f}]"
        row[r.statistic] = cell or "-"
    table = pd.DataFrame(list(rows.values()))
    print_table(table, title=f"Agreement of {len(res.coders)} {among} ({', '.join(res.coders)}) on {res.n_mismatches} mismatches",
                caption=f"estimate [95% interval]; per code as present/absent, overall = pooled over codes; percentile "
                        f"bootstrap over mismatches, {n_boot} resamples, seed {seed}; '-' = undefined (see --out agreement.csv)")
    console().print(f"{len(res.disagreements)} mismatch(es) with different codes to adjudicate"
                    + " (--out DIR writes disagreements.csv)")


def _print_class(summary, hardest: int) -> None:
    s = summary.students
    level = "subcategory" if (s.level == "subcategory").any() else "category"
    per = s[s.level == level][["student", "n_mismatches", "n_not_coded", "n_exact", "n_matched", "n_missed", "n_extra",
                                "precision", "recall", "cohen_kappa"]]
    print_table(per, title=f"Each student against the answer key '{summary.key}' ({level} codes)", float_format="{:.2f}",
                caption="n_exact: mismatches coded exactly as the key; matched/missed/extra: codes; kappa pooled over "
                        "codes, present/absent per mismatch ('-' = undefined)")
    top = summary.hardest(level, hardest)[["code", "n_key", "n_expected", "n_found", "n_missed", "n_extra", "f1",
                                           "n_students_missed"]]
    print_table(top, title=f"The {len(top)} {level} codes the class found hardest (lowest F1 against the key)",
                float_format="{:.2f}")


@code_app.command("merge")
def merge_cmd(
    files: List[Path] = typer.Argument(..., help="The new round (.xlsx, .csv or .qdpx)."),
    extension: Optional[Path] = typer.Option(None, "--extension", "-e", help=_EXT_HELP),
    coder: Optional[str] = typer.Option(None, "--coder", help="Whose codes to merge (e.g. the adjudicated ones) when the round has several coders."),
    name: str = typer.Option("new", "--name", help="Name of the new round in the merged data."),
    n_perm: int = typer.Option(9999, "--permutations", help="Permutations of the distribution test."),
    seed: int = typer.Option(0, "--seed", help="Seed of the permutation test."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Folder for the merged tables (ids and codes, no texts)."),
) -> None:
    """Merge a new round with the study: categorization recomputed, distribution test, new codes as gaps."""
    from mlmismatch.extend.merge import merge
    from mlmismatch.core.writers import write_csv

    check_int("--permutations", n_perm, 1, MAX_RESAMPLES * 10)
    check_int("--seed", seed, *SEED_RANGE)
    data, rnd = _round(files, extension)
    m = merge(data, rnd, coder=coder, round_name=name, n_perm=n_perm, seed=seed)
    print_table(m.by_round, title=f"Instances per category: study vs '{name}' (coder {m.coder})")
    t = m.test.iloc[0]
    console().print(f"chi-square = {t.chi2:.2f} (dof {t.dof}), permutation p = {t.p_permutation:.4f} "
                  f"({t.n_permutations} permutations of mismatches), asymptotic p = {t.p_asymptotic:.4f}, "
                  f"Cramer's V = {t.cramers_v:.2f}; smallest expected count {t.min_expected:.1f}"
                  + (" (below 5: prefer the permutation p)" if t.min_expected < 5 else ""))
    gaps = None
    if (m.codebook.origin == "extension").any():
        from mlmismatch.core.errors import InputError

        try:
            from mlmismatch.mapping import matrix as mapping
            from mlmismatch.descriptors import schemas
            from mlmismatch.extend.merge import mapping_gaps

            gaps = mapping_gaps(m, mapping.load_default(data, store=store()).attributes,
                                schemas.attributes(store=store()))
            print_table(gaps, title="Mapping gap analysis on the merged data: subcategories no published attribute covers")
        except InputError as exc:
            _warn([f"mapping gap analysis skipped ({exc}); the new subcategories are unmapped:"])
            print_table(m.gaps[m.gaps.origin == "extension"], title="New subcategories (unmapped)")
    if out:
        write_csv(out / "merged_instances.csv", m.instances.assign(category=m.instances["category"].astype(str)),
                  spreadsheet_safe=True)
        write_csv(out / "merged_mismatches.csv", m.mismatches, spreadsheet_safe=True)
        write_csv(out / "merged_codebook.csv", m.codebook, spreadsheet_safe=True)
        write_csv(out / "categories.csv", m.categories, spreadsheet_safe=True)
        write_csv(out / "subcategories.csv", m.subcategories, spreadsheet_safe=True)
        write_csv(out / "categories_by_round.csv", m.by_round, spreadsheet_safe=True)
        write_csv(out / "distribution_test.csv", m.test, spreadsheet_safe=True)
        write_csv(out / "gaps.csv", m.gaps, spreadsheet_safe=True)
        if gaps is not None:
            write_csv(out / "mapping_gaps.csv", gaps, spreadsheet_safe=True)
        say(f"wrote {8 + (gaps is not None)} tables to {out}")


@code_app.command("export-qdc")
def export_qdc(
    out: Path = typer.Argument(..., help="The REFI-QDA codebook to write (.qdc)."),
    extension: Optional[Path] = typer.Option(None, "--extension", "-e", help=_EXT_HELP),
) -> None:
    """Export the codebook (with descriptions and any extension) as a REFI-QDA codebook for NVivo, ATLAS.ti, MAXQDA."""
    from mlmismatch.extend.qda import codebook_qdc
    from mlmismatch.extend.rounds import combined_codebook, read_extension
    from mlmismatch.core.writers import write_bytes

    data = load_coding()
    ext = read_extension(extension, data.codebook) if extension else None
    book = combined_codebook(data.codebook, ext)
    write_bytes(out, codebook_qdc(book))
    say(f"wrote {out} ({len(book)} codes in {book.category_code.nunique()} categories)")


@code_app.command("import-qdpx")
def import_qdpx(
    project: Path = typer.Argument(..., help="A REFI-QDA project (.qdpx) whose codings to import."),
    out: Path = typer.Argument(..., help="The tidy CSV to write (mismatch_id, coder, category, subcategory, ...)."),
    extension: Optional[Path] = typer.Option(None, "--extension", "-e", help=_EXT_HELP),
    text: bool = typer.Option(False, "--text/--no-text", help="Also write the mismatch texts (description, info_not_communicated)."),
) -> None:
    """Import the codings of a REFI-QDA project into the tidy coding table."""
    from mlmismatch.core.writers import write_csv

    _, rnd = _round([project], extension)
    df = rnd.codings[["mismatch_id", "coder", "position", "category_code", "category", "subcategory", "origin"]]
    df = df.merge(rnd.mismatches[["mismatch_id", "interview"] + (["description", "info_not_communicated"] if text else [])],
                  on="mismatch_id", how="left")
    write_csv(out, df, spreadsheet_safe=True)
    say(f"wrote {out}: {len(df)} codings of {df.mismatch_id.nunique()} mismatches by {df.coder.nunique()} coder(s)")


@app.command("suggest")
def suggest_cmd(
    text: str = typer.Argument(..., help="A mismatch description."),
    info: str = typer.Option("", "--info", help="The information that was not communicated, if known."),
    top: int = typer.Option(3, "--top", help="How many codes to show per level."),
    seed: int = typer.Option(0, "--seed", help="Seed of the classifier."),
) -> None:
    """Suggest categories and subcategories for a mismatch text (help for coders, never a replacement)."""
    import pandas as pd

    from mlmismatch.core.errors import InputError
    from mlmismatch.cli.common import store
    from mlmismatch.extend.suggest import NOTICE, cached_model, mismatch_texts

    if not text.strip():
        raise InputError("empty text", expected="a mismatch description")
    check_int("--top", top, 1, 50)
    check_int("--seed", seed, *SEED_RANGE)
    model, _trained = cached_model(load_coding(), seed=seed, cache_dir=store().cache_dir() / "models")
    texts = mismatch_texts(pd.DataFrame({"description": [text], "info_not_communicated": [info]}))
    table = model.suggest(texts, top=top)
    for level in ("category", "subcategory"):
        t = table[table.level == level][["rank", "code", "probability", "predicted"]]
        t = t.assign(predicted=t.predicted.map({True: "yes", False: ""})).rename(columns={"predicted": "in predicted set"})
        print_table(t,
                    title=f"Suggested {level} codes", float_format="{:.2f}")
    err_console().print(f"[yellow]{NOTICE}[/yellow]", soft_wrap=True)
