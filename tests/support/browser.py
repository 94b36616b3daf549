"""A headless Chromium for tests that look at generated HTML in a real browser.

The browser is Debian's ``chromium`` with ``chromium-driver`` (installed by ``.ci/run``), driven by
Selenium with that system driver: nothing is downloaded at run time. ``MLMISMATCH_CHROMIUM`` and
``MLMISMATCH_CHROMEDRIVER`` override the paths. Missing under ``CI=true`` is a failure (see
:func:`need.need`), elsewhere a skip.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from need import need

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
#: Flags for a closed network and a root user (see the machine notes): no background networking.
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-extensions", "--disable-default-apps")


def _find(env: str, names: tuple[str, ...]) -> str | None:
    explicit = os.environ.get(env)
    if explicit:
        return explicit if Path(explicit).is_file() else None
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return None


def start(profile_dir: Path, width: int = 1280, height: int = 900):
    """A Selenium Chrome driver on the system Chromium, window ``width`` x ``height``.

    Browser console messages are available with ``driver.get_log("browser")``.
    """
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError as exc:  # pragma: no cover - selenium is a dev dependency
        need("selenium", str(exc))
    binary = _find("MLMISMATCH_CHROMIUM", CHROMIUM_CANDIDATES)
    driver_path = _find("MLMISMATCH_CHROMEDRIVER", ("chromedriver",))
    if binary is None or driver_path is None:
        need("a headless Chromium with its driver", "install Debian's chromium and chromium-driver (.ci/run does)")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile_dir}")
    options.add_argument(f"--window-size={width},{height}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(60)
    return driver
