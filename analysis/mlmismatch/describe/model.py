"""A fitted model -> Trained Model descriptor (1.2).

From a fitted scikit-learn estimator or pipeline (or an XGBoost/LightGBM model with the
scikit-learn interface): the learning algorithm and its non-default hyper-parameters, whether it is
an ensemble of models, the framework, the package versions it needs, the features it was fitted on
(names and, when the training frame ``X`` is given, types), its output (classes or a number), the
serialized size, and a content hash as ``model_version``. From an ONNX file (with the optional
``onnx`` package): the graph's inputs and outputs, its producer and operators.

Everything a model cannot say about itself (its name, what its output means, the component that
consumes it, metrics, training date, inference time, memory and CPU needs) is left empty.
"""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path
from typing import Any

from mlmismatch.core.errors import InputError, Location

#: Estimator class name (prefix match) -> the schema's ``learning_algorithm.algorithm``.
ALGORITHMS = (
    (("GradientBoosting", "HistGradientBoosting", "XGB", "LGBM", "CatBoost"), "Gradient Boosting Tree (GBT)"),
    (("RandomForest",), "Random Forest"),
    (("LogisticRegression",), "Logistic Regression"),
    (("LinearRegression", "Ridge", "Lasso", "ElasticNet"), "Linear Regression"),
    (("SVC", "SVR", "LinearSVC", "LinearSVR", "NuSVC", "NuSVR"), "Support Vector Machine (SVM)"),
    (("KNeighbors",), "K-Nearest Neighbors (KNN)"),
    (("GaussianNB", "MultinomialNB", "BernoulliNB", "ComplementNB", "CategoricalNB"), "Naive Bayes Classifier"),
)
#: Top-level module of an estimator's class -> the framework's name (as environment descriptors name it).
FRAMEWORK_OF_MODULE = {"sklearn": "scikit-learn", "xgboost": "XGBoost", "lightgbm": "LightGBM", "catboost": "CatBoost"}
#: Distribution that provides each framework (for ``system_dependencies``).
DISTRIBUTION = {"scikit-learn": "scikit-learn", "XGBoost": "xgboost", "LightGBM": "lightgbm", "CatBoost": "catboost"}
ENSEMBLES = ("Voting", "Stacking", "Bagging")
#: Largest ONNX file read (the graph is loaded in memory).
MAX_ONNX_BYTES = 2 << 30


def algorithm_of(estimator) -> dict:
    name = type(estimator).__name__
    for prefixes, algorithm in ALGORITHMS:
        if name.startswith(prefixes):
            return {"algorithm": algorithm, "other_algorithm": ""}
    return {"algorithm": "Other", "other_algorithm": name}


def _simple(value: Any) -> bool:
    return value is None or isinstance(value, (bool, int, float, str))


def hyper_parameters(estimator) -> list[dict]:
    """The estimator's parameters that differ from its class defaults (simple values only)."""
    try:
        params = estimator.get_params(deep=False)
        defaults = type(estimator)().get_params(deep=False)
    except Exception:  # noqa: BLE001 - a class that needs arguments: list the simple parameters
        params, defaults = getattr(estimator, "get_params", lambda deep=False: {})(deep=False), {}
    out = []
    for k, v in sorted(params.items()):
        if _simple(v) and (k not in defaults or defaults[k] != v):
            out.append({"parameter_name": k, "parameter_value": str(v)})
    return out


def _final(estimator):
    steps = getattr(estimator, "steps", None)
    return steps[-1][1] if steps else estimator


def _frameworks(estimator) -> list[str]:
    found = []
    stack = [estimator]
    while stack:
        est = stack.pop(0)
        root = type(est).__module__.split(".")[0]
        fw = FRAMEWORK_OF_MODULE.get(root)
        if fw and fw not in found:
            found.append(fw)
        for _name, sub in getattr(est, "steps", None) or []:
            stack.append(sub)
        for sub in getattr(est, "estimators_", None) or []:
            if hasattr(sub, "get_params"):
                stack.append(sub)
    return found


def _dependencies(frameworks: list[str]) -> list[str]:
    from importlib import metadata

    out = []
    for dist in [DISTRIBUTION[f] for f in frameworks if f in DISTRIBUTION] + ["numpy", "scipy"]:
        try:
            line = f"{dist}=={metadata.version(dist)}"
        except metadata.PackageNotFoundError:
            continue
        if line not in out:
            out.append(line)
    return out


def _type_name(dtype) -> str:
    kind = getattr(dtype, "kind", "O")
    return {"b": "boolean", "i": "integer", "u": "integer", "f": "float", "M": "datetime"}.get(kind, "string")


def _check_fitted(model) -> None:
    from sklearn.base import BaseEstimator
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    if not isinstance(model, BaseEstimator):
        raise InputError(f"unsupported model type {type(model).__module__}.{type(model).__name__}",
                         Location(file="model"),
                         expected="a fitted scikit-learn estimator or pipeline (or an .onnx file)")
    try:
        check_is_fitted(model)
    except NotFittedError:
        raise InputError(f"the {type(model).__name__} is not fitted", Location(file="model"),
                         expected="a fitted estimator (call fit first)") from None


def _output_items(model) -> list[dict]:
    spec = {"other_value": "", "min_value": 0, "max_value": 0, "resolution_x": 0, "resolution_y": 0, "channels": 0,
            "image_format": "", "min_length": 0, "max_length": 0, "empty": False, "numeric": False,
            "slashes": False, "spaces": False, "special": False}
    mapping = {"component": "", "data_item": ""}
    classes = getattr(_final(model), "classes_", None)
    if classes is None:
        return [{"item_name": "prediction", "item_description": "", "item_type": "Float",
                 "item_specification": {**spec, "numeric": True}, "component_mapping": dict(mapping)}]
    values = [c.item() if hasattr(c, "item") else c for c in classes]
    listed = ", ".join(map(str, values))
    if all(isinstance(v, bool) for v in values):
        item = {"item_type": "Other", "item_specification": {**spec, "other_value": f"boolean: {listed}"}}
    elif all(isinstance(v, int) for v in values):
        item = {"item_type": "Integer", "item_specification": {**spec, "numeric": True, "min_value": min(values),
                                                               "max_value": max(values), "other_value": f"one of: {listed}"}}
    else:
        texts = [str(v) for v in values]
        item = {"item_type": "String", "item_specification": {
            **spec, "other_value": f"one of: {listed}", "min_length": min(map(len, texts)),
            "max_length": max(map(len, texts)), "numeric": any(ch.isdigit() for t in texts for ch in t),
            "slashes": any("/" in t for t in texts), "spaces": any(" " in t for t in texts),
            "special": any(not (ch.isalnum() or ch in " /_-") for t in texts for ch in t)}}
    out = [{"item_name": "prediction", "item_description": "", **item, "component_mapping": dict(mapping)}]
    if hasattr(model, "predict_proba"):
        out.append({"item_name": "probability", "item_description": "", "item_type": "Float",
                    "item_specification": {**spec, "numeric": True, "min_value": 0, "max_value": 1,
                                           "other_value": f"one per class: {listed}"},
                    "component_mapping": dict(mapping)})
    return out


def _inputs(model, X=None) -> str:
    names = getattr(model, "feature_names_in_", None)
    if names is None:
        n = getattr(model, "n_features_in_", None)
        return f"expects {n} unnamed input features (fitted on an array)" if n is not None else ""
    if X is not None and hasattr(X, "dtypes"):
        types = {str(c): _type_name(t) for c, t in X.dtypes.items()}
        listed = ", ".join(f"{n}: {types.get(str(n), 'type unknown')}" for n in names)
    else:
        listed = ", ".join(f"{n}" for n in names) + " (types not recorded by the estimator)"
    return f"expects {len(names)} input features, in this order: {listed}"


def trained_model(model, X=None, *, store=None) -> dict:
    """A 1.2 Trained Model document of a fitted scikit-learn estimator or pipeline."""
    from mlmismatch.descriptors.migrate import skeleton

    _check_fitted(model)
    final = _final(model)
    frameworks = _frameworks(model)
    blob = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
    doc = skeleton("trained_model", "1.2", store=store)
    ensemble = type(final).__name__.startswith(ENSEMBLES) and hasattr(final, "estimators")
    doc["model_version"] = "sha256:" + hashlib.sha256(blob).hexdigest()
    doc["ensemble"] = bool(ensemble)
    components = [final]
    if ensemble:
        components = [e for _n, e in final.estimators] if isinstance(final.estimators[0], tuple) else list(final.estimators)
        doc["model_composition_details"] = f"{type(final).__name__} of " + ", ".join(type(e).__name__ for e in components)
    doc["model_components"] = [{"learning_algorithm": algorithm_of(c), "hyper_parameters": hyper_parameters(c),
                                "programming_languages": ["Python"]} for c in components]
    doc["ml_frameworks"] = frameworks or [""]
    doc["output_spec"] = _output_items(model)
    inputs = _inputs(model, X)
    doc["decisions_assumptions"] = [inputs] if inputs else [""]
    doc["system_dependencies"] = _dependencies(frameworks) or [""]
    doc["computing_resource_reqs"]["storage"] = round(len(blob) / 1e9, 9)
    return doc


_ONNX_TYPES = {1: "Float", 10: "Float", 11: "Float", 16: "Float", 2: "Integer", 3: "Integer", 4: "Integer",
               5: "Integer", 6: "Integer", 7: "Integer", 12: "Integer", 13: "Integer", 8: "String", 9: "Other"}


def _onnx_shape(value_info) -> str:
    t = value_info.type
    if not t.HasField("tensor_type"):
        return t.WhichOneof("value") or "value"
    dims = [d.dim_param or (str(d.dim_value) if d.HasField("dim_value") else "?") for d in t.tensor_type.shape.dim]
    return "tensor[" + ", ".join(dims) + "]"


def trained_model_onnx(path: str | Path, *, store=None) -> dict:
    """A 1.2 Trained Model document of an ONNX file (needs the ``onnx`` package: ``mlmismatch[onnx]``)."""
    from mlmismatch.descriptors.migrate import skeleton
    from mlmismatch.describe.tabular import _regular_file
    from mlmismatch.sources import sha256_file

    path = Path(path)
    _regular_file(path)
    size = path.stat().st_size
    if size > MAX_ONNX_BYTES:
        raise InputError(f"ONNX file of {size:,} bytes", Location(file=path.name),
                         expected=f"at most {MAX_ONNX_BYTES:,} bytes")
    try:
        import onnx
    except ImportError:
        raise InputError("reading ONNX files needs the onnx package", Location(file=path.name),
                         expected="pip install 'mlmismatch[onnx]'") from None
    try:
        model = onnx.load(str(path), load_external_data=False)
    except Exception as exc:  # noqa: BLE001 - protobuf raises several types for a broken file
        raise InputError(f"not a readable ONNX model ({type(exc).__name__})", Location(file=path.name),
                         expected="an .onnx file") from None
    graph = model.graph
    initializers = {i.name for i in graph.initializer}
    inputs = [i for i in graph.input if i.name not in initializers]
    doc = skeleton("trained_model", "1.2", store=store)
    doc["model_version"] = "sha256:" + sha256_file(path)
    ops = sorted({n.op_type for n in graph.node})
    producer = " ".join(x for x in (model.producer_name, model.producer_version) if x)
    doc["model_components"] = [{"learning_algorithm": {"algorithm": "Other", "other_algorithm":
                                f"ONNX graph{' from ' + producer if producer else ''}; operators: {', '.join(ops[:20])}"},
                                "hyper_parameters": [], "programming_languages": [""]}]
    doc["ml_frameworks"] = ["ONNX"]
    spec = doc["output_spec"][0]["item_specification"]
    doc["output_spec"] = [{"item_name": o.name, "item_description": "",
                           "item_type": _ONNX_TYPES.get(o.type.tensor_type.elem_type, "Other")
                           if o.type.HasField("tensor_type") else "Other",
                           "item_specification": {**spec, "other_value": _onnx_shape(o)},
                           "component_mapping": {"component": "", "data_item": ""}} for o in graph.output]
    doc["decisions_assumptions"] = ["expects ONNX inputs: " + ", ".join(f"{i.name} {_onnx_shape(i)}" for i in inputs)]
    doc["computing_resource_reqs"]["storage"] = round(size / 1e9, 9)
    return doc
