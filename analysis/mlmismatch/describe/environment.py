"""The running machine -> Development Environment or Production Environment descriptor (1.2).

Read without importing any ML framework: CPUs available to this process, memory, storage of the
file system holding a folder, NVIDIA GPUs when the driver shows them, the operating system, the
Python version, and the ML frameworks installed (from package metadata). Framework *names* go into
``ml_frameworks`` (what the rules compare with a Trained Model's frameworks); names and versions
are listed in ``documentation[]``, since the 1.2 schemas have no version field for them.

>>> env = machine()
>>> env.cpu >= 1 and env.memory_gb > 0
True
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

#: Installed distribution -> the framework's name in descriptors.
FRAMEWORKS = {
    "scikit-learn": "scikit-learn", "torch": "PyTorch", "tensorflow": "TensorFlow", "tensorflow-cpu": "TensorFlow",
    "keras": "Keras", "xgboost": "XGBoost", "lightgbm": "LightGBM", "catboost": "CatBoost", "jax": "JAX",
    "onnx": "ONNX", "onnxruntime": "ONNX Runtime", "statsmodels": "statsmodels", "transformers": "Transformers",
    "spacy": "spaCy", "mxnet": "MXNet", "pyspark": "Spark MLlib", "tensorrt": "TensorRT", "prophet": "Prophet",
}
#: Where the versions of the installed frameworks are said to come from (``documentation[].location``).
PACKAGES_URN = "urn:mlmismatch:describe:installed-packages"
GB = 1e9


@dataclass(frozen=True)
class Machine:
    """What ``describe`` reads of the running machine."""

    cpu: int
    memory_gb: float
    storage_gb: float
    gpu: int
    system: str
    python: str
    frameworks: dict[str, str] = field(default_factory=dict)  # name -> version

    @property
    def platform(self) -> str:
        return f"{self.system}; Python {self.python}"


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _memory_bytes() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not POSIX
        return 0


def _gpus() -> int:
    """NVIDIA GPUs the driver lists (0 when there is no driver)."""
    proc = Path("/proc/driver/nvidia/gpus")
    if proc.is_dir():
        return sum(1 for _ in proc.iterdir())
    smi = shutil.which("nvidia-smi")
    if smi:
        try:
            out = subprocess.run([smi, "-L"], capture_output=True, text=True, timeout=10).stdout
            return sum(1 for line in out.splitlines() if line.startswith("GPU "))
        except (OSError, subprocess.SubprocessError):
            return 0
    return 0


def installed_frameworks() -> dict[str, str]:
    """``{framework name: version}`` of the ML frameworks installed (package metadata only)."""
    from importlib import metadata

    found: dict[str, str] = {}
    for dist in metadata.distributions():
        name = (dist.metadata.get("Name") or "").lower().replace("_", "-")
        if name in FRAMEWORKS:
            found.setdefault(FRAMEWORKS[name], dist.version)
    return dict(sorted(found.items(), key=lambda kv: kv[0].lower()))


def _system() -> str:
    name = platform.system()
    release = platform.release()
    distro = ""
    try:
        for line in Path("/etc/os-release").read_text(encoding="utf-8").splitlines():
            if line.startswith("PRETTY_NAME="):
                distro = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return f"{name} {release} {platform.machine()}" + (f" ({distro})" if distro else "")


def machine(folder: str | Path = ".") -> Machine:
    """The running machine; storage is the size of the file system that holds ``folder``."""
    try:
        storage = shutil.disk_usage(folder).total
    except OSError:
        storage = 0
    return Machine(cpu=_cpus(), memory_gb=round(_memory_bytes() / GB, 1), storage_gb=round(storage / GB, 1),
                   gpu=_gpus(), system=_system(), python=platform.python_version(), frameworks=installed_frameworks())


def _resources(m: Machine) -> dict:
    return {"gpu": m.gpu, "cpu": m.cpu, "memory": m.memory_gb, "storage": m.storage_gb}


def _packages_doc(m: Machine) -> list[dict]:
    listed = ", ".join(f"{n} {v}" for n, v in m.frameworks.items()) or "none"
    return [{"description": f"Python {m.python} on {m.system}; ML frameworks installed: {listed} "
                            "(read from package metadata by mlmismatch describe)", "location": PACKAGES_URN}]


def development_environment(m: Machine | None = None) -> dict:
    """A 1.2 Development Environment document of the running machine (components and milestones
    left for a person)."""
    m = m or machine()
    return {
        "version": "1.2",
        "programming_languages": ["Python"],
        "ml_frameworks": list(m.frameworks) or [""],
        "upstream_components": [],
        "downstream_components": [],
        "milestones": [],
        "computing_resources": _resources(m),
        "documentation": _packages_doc(m),
    }


def production_environment(m: Machine | None = None) -> dict:
    """A 1.2 Production Environment document of the running machine (the deployment mechanism,
    required inference time, metrics and logs left for a person)."""
    m = m or machine()
    return {
        "version": "1.2",
        "required_inference_time": {"time": 0, "unit": "Milliseconds"},
        "computing_resources": _resources(m),
        "deployment_platform": m.platform,
        "deployment_mechanism": "",
        "algorithm_metrics": [],
        "business_metrics": [],
        "other_metrics": [],
        "user_system_feedback": [],
        "model_logs": [],
        "other_logs": [],
        "documentation": _packages_doc(m),
    }


BUILDERS = {"development_environment": development_environment, "production_environment": production_environment}
