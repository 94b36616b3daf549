"""Reproduce step: the code-suggestion classifier's cross-validated evaluation.

Writes under ``ctx.out``:

- ``tables/suggest_evaluation.csv`` / ``.md`` — macro-F1, micro-F1 and top-1 hit rate of the
  classifier and of the majority-class baseline, at the category and subcategory levels (seed 0),
  and the mean/min/max macro-F1 over five fold assignments (seeds 0-4);
- ``tables/suggest_evaluation_per_code.csv`` / ``.md`` — precision, recall, F1 and support per code.

Folds are grouped by interview (5 folds, seed 0): no interview has mismatches in both the training
and the test fold. The run is deterministic (fixed seed, deterministic solver), and the model is
trained from the workbook at run time; nothing with mismatch texts is written.
"""

from __future__ import annotations

from mlmismatch.pipeline.context import BASE_LIBRARIES, ML_LIBRARIES, Context, Step

N_SPLITS = 5
SEED = 0
#: Other fold assignments, to show how much the score depends on which interviews share a fold.
REPEAT_SEEDS = (1, 2, 3, 4)


def evaluation_tables(ev, repeats=()) -> tuple["object", "object"]:
    """The evaluation as two tidy tables with floats rounded to 3 decimals.

    ``repeats`` are evaluations with other seeds; with them the summary gains the mean, min and max
    macro-F1 over all the fold assignments (``ev``'s included).
    """
    summary = ev.summary.copy()
    summary.insert(0, "n_mismatches", ev.n_mismatches)
    summary.insert(1, "folds", f"{ev.n_splits} grouped by interview, seed {ev.seed}")
    if repeats:
        import numpy as np

        runs = np.array([ev.summary["macro_f1"].to_numpy()] + [r.summary["macro_f1"].to_numpy() for r in repeats])
        n = len(runs)
        summary[f"macro_f1_mean_{n}_seeds"] = runs.mean(axis=0)
        summary[f"macro_f1_min_{n}_seeds"] = runs.min(axis=0)
        summary[f"macro_f1_max_{n}_seeds"] = runs.max(axis=0)
    per_code = ev.per_code.copy()
    for df in (summary, per_code):
        for col in df.columns:
            if df[col].dtype.kind == "f":
                df[col] = df[col].round(3)
    return summary, per_code


def evaluate_all(coding) -> list:
    """The evaluations with seed :data:`SEED` and each of :data:`REPEAT_SEEDS`, in that order."""
    from mlmismatch.extend.suggest import evaluate_study

    return [evaluate_study(coding, n_splits=N_SPLITS, seed=s) for s in (SEED, *REPEAT_SEEDS)]


def step_suggest_evaluation(ctx) -> None:
    from mlmismatch.extend.suggest import NOTICE
    from mlmismatch.core.tables import to_markdown

    evs = evaluate_all(ctx.coding)
    ev, repeats = evs[0], evs[1:]
    ctx.results["suggest_evaluation"] = ev
    summary, per_code = evaluation_tables(ev, repeats)
    ctx.write_csv("tables/suggest_evaluation.csv", summary)
    ctx.write_csv("tables/suggest_evaluation_per_code.csv", per_code)
    caption = (f"Code-suggestion classifier (TF-IDF + one-vs-rest logistic regression), cross-validated with "
               f"{ev.n_splits} folds grouped by interview (seed {ev.seed}), {ev.n_mismatches} mismatches; "
               f"majority-class baseline alongside; the last columns give macro-F1 over {1 + len(REPEAT_SEEDS)} fold "
               f"assignments (seeds {SEED}, {', '.join(map(str, REPEAT_SEEDS))}). " + NOTICE)
    ctx.write_text("tables/suggest_evaluation.md", caption + "\n\n" + to_markdown(summary, floatfmt=".3f"))
    ctx.write_text("tables/suggest_evaluation_per_code.md",
                   "Per-code scores of the code-suggestion classifier and the majority baseline (out-of-fold predictions "
                   "pooled over the grouped folds)\n\n" + to_markdown(per_code, floatfmt=".3f"))


STEPS = [Step("suggest-evaluation", step_suggest_evaluation,
              "code-suggestion classifier: cross-validation grouped by interview vs a majority baseline",
              sources=("coding",),
              outputs=("tables/suggest_evaluation.csv", "tables/suggest_evaluation_per_code.csv",
                       "tables/suggest_evaluation.md", "tables/suggest_evaluation_per_code.md"),
              libraries=BASE_LIBRARIES + ML_LIBRARIES, cost=3.0)]
