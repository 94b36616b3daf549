"""The committed HTML report in a real browser (headless Debian Chromium through Selenium).

It loads without console errors, every table-of-contents link leads to its section, nothing is
wider than a 1,280 px window (with every folded table opened too), and a screenshot is saved under
the test's temporary folder. The committed report equals a fresh run (test_reproduce_real.py).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

REPORT = Path(__file__).resolve().parents[2] / "paper" / "generated" / "replication_report.html"

WIDER_THAN_WINDOW = """
const w = document.documentElement.clientWidth;
return Array.from(document.querySelectorAll('body *'))
  .filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.right > w + 1; })
  .slice(0, 5).map(e => e.tagName + (e.id ? '#' + e.id : '') + ' ' + Math.round(e.getBoundingClientRect().right));
"""


def test_report_in_a_browser(browser, tmp_path):
    from selenium.webdriver.common.by import By

    browser.get(REPORT.as_uri())
    assert browser.title.startswith("Replication report")
    errors = [e for e in browser.get_log("browser") if e.get("level") == "SEVERE"]
    assert not errors, errors
    assert browser.execute_script("return window.innerWidth") == 1280 or browser.get_window_size()["width"] == 1280

    links = browser.find_elements(By.CSS_SELECTOR, "nav.toc a")
    anchors = [a.get_attribute("href").split("#", 1)[1] for a in links]
    assert len(anchors) >= 8 and anchors[:2] == ["summary", "differences"]
    for anchor in anchors:
        browser.find_element(By.CSS_SELECTOR, f'nav.toc a[href="#{anchor}"]').click()
        assert browser.execute_script("return location.hash") == f"#{anchor}"
        top = browser.execute_script(f"return document.getElementById('{anchor}').getBoundingClientRect().top")
        assert -2 <= top < browser.execute_script("return window.innerHeight"), anchor

    assert browser.execute_script(WIDER_THAN_WINDOW) == []
    assert browser.find_elements(By.ID, "input-notice") or "Inputs that differ" not in REPORT.read_text(encoding="utf-8")
    browser.execute_script("document.querySelectorAll('details').forEach(d => d.open = true)")
    assert browser.execute_script(WIDER_THAN_WINDOW) == []
    text = browser.find_element(By.TAG_NAME, "body").text
    assert not re.search(r"\bnan\b|\*\*|`", text)
    shot = tmp_path / "replication_report.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
    late = browser.get_log("browser")  # read once: the driver clears the log on every read
    assert not [e for e in late if e.get("level") == "SEVERE"], late
