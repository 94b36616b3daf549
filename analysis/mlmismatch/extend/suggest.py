"""Code suggestions: a text classifier trained at run time on the study's coded mismatches.

The model is deliberately simple and fixed in advance (no tuning on the evaluation folds): TF-IDF of
word unigrams and bigrams of a mismatch's *description* and *information not communicated*, and one
logistic regression per code (one-vs-rest, balanced class weights), at two levels: the 7 categories
and the (category, subcategory) pairs. A mismatch may carry up to three codes, so each code gets
its own probability; the predicted set is the most probable code plus every other code with
probability >= 0.5.

Nothing is downloaded. The model is trained from the coding workbook; :func:`cached_model` keeps the
trained model in the user cache (``<cache>/models/``, beside the cached workbooks; it holds the TF-IDF
vocabulary, so words of the mismatch texts stay on the user's machine, as the workbook does), keyed by
the SHA-256 of the training data, the seed, this module's code and the scikit-learn version, so
``mlmismatch suggest`` trains once and then reads the model back.

:func:`evaluate` cross-validates it honestly: folds grouped by interview (no interview has mismatches
in both the training and the test fold), the fold assignment fixed by a seed, macro-F1 and per-code
precision/recall/F1 beside a majority-class baseline.

Suggestions help coders; they never replace them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

NOTICE = ("These are machine suggestions to help a coder, not codes: a coder must read the mismatch and "
          "decide. The classifier was trained on the study's 140 mismatches only (see its cross-validated "
          "scores in the README).")
LEVELS = ("category", "subcategory")
THRESHOLD = 0.5


def mismatch_texts(mismatches: "pd.DataFrame") -> list[str]:
    """A mismatch's description and information not communicated, as one text."""
    desc = mismatches["description"].fillna("").astype(str)
    info = mismatches["info_not_communicated"].fillna("").astype(str) if "info_not_communicated" in mismatches else ""
    return [f"{d}. {i}".strip(" .") for d, i in zip(desc, info)]


def label_sets(mismatch_ids, instances: "pd.DataFrame", level: str) -> list[list[str]]:
    """Each mismatch's codes at ``level``: category names or '(XX) Subcategory' labels."""
    from mlmismatch.core.labels import subcategory_label as code_label

    if level == "category":
        keys = instances["category"].astype(str)
    else:
        keys = [code_label(c, s) for c, s in zip(instances["category_code"], instances["subcategory"])]
    by: dict[str, list[str]] = {}
    for mid, key in zip(instances["mismatch_id"], keys):
        if key not in by.setdefault(mid, []):
            by[mid].append(key)
    return [by.get(m, []) for m in mismatch_ids]


def codebook_labels(codebook: "pd.DataFrame", level: str) -> list[str]:
    from mlmismatch.core.labels import subcategory_label as code_label
    from mlmismatch.extend.codes import categories_of

    if level == "category":
        return list(categories_of(codebook).values())
    return [code_label(c, s) for c, s in zip(codebook["category_code"], codebook["subcategory"])]


def make_pipeline(seed: int = 0):
    """The classifier (unfitted): TF-IDF 1-2 grams + one-vs-rest balanced logistic regression."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import make_pipeline as mk

    return mk(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, strip_accents="unicode", lowercase=True,
                        stop_words="english", min_df=1),
        OneVsRestClassifier(LogisticRegression(C=10.0, class_weight="balanced", solver="liblinear",
                                               random_state=seed, max_iter=1000)),
    )


@dataclass
class LevelModel:
    labels: list[str]
    pipeline: object

    def proba(self, texts: list[str]) -> "np.ndarray":
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return self.pipeline.predict_proba(texts)


def _fit_level(texts: list[str], sets: list[list[str]], labels: list[str], seed: int) -> LevelModel:
    import warnings

    from sklearn.preprocessing import MultiLabelBinarizer

    y = MultiLabelBinarizer(classes=labels).fit_transform(sets)
    pipe = make_pipeline(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "Label not N is present in all training examples"
        pipe.fit(texts, y)
    return LevelModel(labels, pipe)


def predicted_sets(proba: "np.ndarray", threshold: float = THRESHOLD) -> "np.ndarray":
    """0/1 predictions: the most probable code plus every code with probability >= ``threshold``."""
    import numpy as np

    pred = (proba >= threshold).astype(int)
    pred[np.arange(len(proba)), proba.argmax(axis=1)] = 1
    return pred


@dataclass
class Suggester:
    """The fitted classifier at both levels; :meth:`suggest` gives the top codes of a text."""

    models: dict[str, LevelModel]
    n_training: int

    def suggest(self, texts: str | list[str], top: int = 3) -> "pd.DataFrame":
        """``text_index, level, rank, code, category, probability, predicted`` for each text's top codes."""
        import numpy as np
        import pandas as pd

        if isinstance(texts, str):
            texts = [texts]
        rows = []
        for level, model in self.models.items():
            proba = model.proba(texts)
            pred = predicted_sets(proba)
            for t in range(len(texts)):
                order = np.argsort(-proba[t], kind="stable")[:top]
                for rank, j in enumerate(order, start=1):
                    label = model.labels[j]
                    rows.append({"text_index": t, "level": level, "rank": rank, "code": label,
                                 "category_code": label[1:3] if level == "subcategory" else "",
                                 "probability": float(proba[t, j]), "predicted": bool(pred[t, j])})
        return pd.DataFrame(rows)


def train(mismatches: "pd.DataFrame", instances: "pd.DataFrame", codebook: "pd.DataFrame", seed: int = 0) -> Suggester:
    """Fit the classifier on coded mismatches (the study's by default: :func:`train_on_study`)."""
    texts = mismatch_texts(mismatches)
    ids = list(mismatches["mismatch_id"])
    models = {level: _fit_level(texts, label_sets(ids, instances, level), codebook_labels(codebook, level), seed)
              for level in LEVELS}
    return Suggester(models, len(texts))


def train_on_study(data, seed: int = 0) -> Suggester:
    """Fit on the study's coding (:class:`mlmismatch.coding.CodingData`)."""
    return train(data.mismatches, data.instances, data.codebook, seed=seed)


def model_key(mismatches: "pd.DataFrame", instances: "pd.DataFrame", codebook: "pd.DataFrame", seed: int = 0) -> str:
    """SHA-256 of what the trained model depends on: texts, codes, codebook, seed, this module, scikit-learn's version."""
    import hashlib
    import json
    from importlib import metadata
    from pathlib import Path

    ids = [str(i) for i in mismatches["mismatch_id"]]
    material = {
        "texts": mismatch_texts(mismatches), "ids": ids,
        "codes": {level: label_sets(ids, instances, level) for level in LEVELS},
        "labels": {level: codebook_labels(codebook, level) for level in LEVELS},
        "seed": int(seed), "code": hashlib.sha256(Path(__file__).read_bytes()).hexdigest(),
        "sklearn": metadata.version("scikit-learn"), "numpy": metadata.version("numpy"),
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True, default=str).encode()).hexdigest()


def cached_model(data, seed: int = 0, *, cache_dir) -> tuple[Suggester, bool]:
    """The study's model (:func:`train_on_study`) from ``cache_dir`` if it was trained before on the same data
    with the same code, else trained and stored there (atomically). Returns ``(model, trained_now)``."""
    import os
    import pickle
    import tempfile
    from pathlib import Path

    key = model_key(data.mismatches, data.instances, data.codebook, seed)
    path = Path(cache_dir) / f"suggest-{key}.pickle"
    try:
        with open(path, "rb") as fh:
            model = pickle.load(fh)
        if isinstance(model, Suggester):
            return model, False
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        pass
    model = train_on_study(data, seed=seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(model, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return model, True


# --------------------------------------------------------------------------------------------
# Evaluation: cross-validation grouped by interview
# --------------------------------------------------------------------------------------------

def grouped_folds(groups, n_splits: int = 5, seed: int = 0) -> "np.ndarray":
    """Fold number of each sample: whole groups (interviews) per fold, sizes balanced, order fixed by ``seed``.

    Groups are shuffled with ``numpy.random.default_rng(seed)`` and each is put in the fold with the
    fewest samples so far, so no group is split across folds.
    """
    import numpy as np

    groups = np.asarray(groups)
    uniq, sizes = np.unique(groups, return_counts=True)
    if len(uniq) < n_splits:
        raise ValueError(f"{len(uniq)} groups cannot make {n_splits} folds")
    order = np.random.default_rng(seed).permutation(len(uniq))
    fold_of_group: dict = {}
    load = np.zeros(n_splits, dtype=int)
    for i in order:
        f = int(np.argmin(load))
        fold_of_group[uniq[i]] = f
        load[f] += sizes[i]
    return np.array([fold_of_group[g] for g in groups])


@dataclass
class Evaluation:
    summary: "pd.DataFrame"  # level, model, macro_f1, micro_f1, top1_hit_rate, macro_f1_fold_sd
    per_code: "pd.DataFrame"  # level, code, model, precision, recall, f1, support
    folds: "pd.DataFrame"  # fold, n_mismatches, interviews
    n_splits: int
    seed: int
    n_mismatches: int


def evaluate(mismatches: "pd.DataFrame", instances: "pd.DataFrame", codebook: "pd.DataFrame", n_splits: int = 5,
             seed: int = 0) -> Evaluation:
    """Cross-validate the classifier with folds grouped by interview, beside a majority-class baseline.

    Out-of-fold predictions are pooled over the folds; macro-F1 is the unweighted mean of the per-code
    F1 over the codes that occur in the data (the 7 categories; the subcategories coded at least once).
    The baseline predicts, for every test mismatch, the single code most frequent in the training folds.
    """
    import sklearn

    # The inputs are built here (finite TF-IDF matrices, fixed parameters): skipping scikit-learn's
    # per-call parameter and finiteness checks changes no number and takes a third off the time.
    with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
        return _evaluate(mismatches, instances, codebook, n_splits, seed)


def _evaluate(mismatches: "pd.DataFrame", instances: "pd.DataFrame", codebook: "pd.DataFrame", n_splits: int,
              seed: int) -> Evaluation:
    import warnings

    import numpy as np
    import pandas as pd
    from sklearn.metrics import f1_score, precision_recall_fscore_support
    from sklearn.preprocessing import MultiLabelBinarizer

    ids = list(mismatches["mismatch_id"])
    texts = np.array(mismatch_texts(mismatches), dtype=object)
    folds = grouped_folds(mismatches["interview"].to_numpy(), n_splits, seed)
    # The TF-IDF step of the pipeline depends only on the training texts, not on the level: fit it
    # once per fold and give both levels the same matrices (what each level's pipeline would compute).
    features = []
    for f in range(n_splits):
        vectorizer = make_pipeline(seed).steps[0][1]
        x_train = vectorizer.fit_transform(list(texts[folds != f]))
        features.append((x_train, vectorizer.transform(list(texts[folds == f]))))
    summary, per_code = [], []
    for level in LEVELS:
        labels = codebook_labels(codebook, level)
        y = MultiLabelBinarizer(classes=labels).fit_transform(label_sets(ids, instances, level))
        used = np.flatnonzero(y.sum(axis=0) > 0)
        oof = {"classifier": np.zeros_like(y), "majority baseline": np.zeros_like(y)}
        top1 = {"classifier": np.zeros(len(y), dtype=int), "majority baseline": np.zeros(len(y), dtype=int)}
        fold_f1: dict[str, list[float]] = {"classifier": [], "majority baseline": []}
        for f in range(n_splits):
            test, trn = folds == f, folds != f
            # = _fit_level(texts[trn], the training label sets, labels, seed).proba(texts[test]), with the
            # fold's TF-IDF matrices computed once (y[trn] is MultiLabelBinarizer(classes=labels) of the sets)
            clf = make_pipeline(seed).steps[-1][1]
            x_train, x_test = features[f]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                clf.fit(x_train, y[trn])
                proba = clf.predict_proba(x_test)
            oof["classifier"][test] = predicted_sets(proba)
            top1["classifier"][test] = proba.argmax(axis=1)
            majority = int(np.argmax(y[trn].sum(axis=0)))
            base = np.zeros((test.sum(), len(labels)), dtype=int)
            base[:, majority] = 1
            oof["majority baseline"][test] = base
            top1["majority baseline"][test] = majority
            for name in oof:
                fold_f1[name].append(f1_score(y[test][:, used], oof[name][test][:, used], average="macro", zero_division=0))
        for name, pred in oof.items():
            hit = y[np.arange(len(y)), top1[name]].mean()
            summary.append({
                "level": level, "model": name, "n_codes": len(used),
                "macro_f1": f1_score(y[:, used], pred[:, used], average="macro", zero_division=0),
                "micro_f1": f1_score(y[:, used], pred[:, used], average="micro", zero_division=0),
                "top1_hit_rate": float(hit),
                "macro_f1_fold_sd": float(np.std(fold_f1[name], ddof=1)),
            })
            p, r, f1, s = precision_recall_fscore_support(y[:, used], pred[:, used], average=None, zero_division=0)
            for k, j in enumerate(used):
                per_code.append({"level": level, "code": labels[j], "model": name, "precision": float(p[k]),
                                 "recall": float(r[k]), "f1": float(f1[k]), "support": int(s[k])})
    fold_table = pd.DataFrame({
        "fold": range(n_splits),
        "n_mismatches": [int((folds == f).sum()) for f in range(n_splits)],
        "interviews": [", ".join(str(i) for i in sorted(set(mismatches["interview"][folds == f]))) for f in range(n_splits)],
    })
    return Evaluation(pd.DataFrame(summary), pd.DataFrame(per_code), fold_table, n_splits, seed, len(ids))


def evaluate_study(data, n_splits: int = 5, seed: int = 0) -> Evaluation:
    return evaluate(data.mismatches, data.instances, data.codebook, n_splits=n_splits, seed=seed)
