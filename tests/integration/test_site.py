"""The documentation site: it builds offline in strict mode from the executed notebooks, and a
headless browser opens the home page and every lesson and finds no broken link, no failed
resource, every figure drawn, and the solutions folded until clicked."""

from __future__ import annotations

import functools
import http.server
import importlib.util
import threading
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urldefrag, urlparse

import pytest

import notebooks as nbsupport

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]


def _builder():
    spec = importlib.util.spec_from_file_location("build_site", REPO / "docs" / "build_site.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def site(executed_notebooks, tmp_path_factory):
    build = _builder()
    root = tmp_path_factory.mktemp("site")
    out = build.build(root / "site", executed={k: v.nb for k, v in executed_notebooks.items()},
                      stage_dir=root / "docs-src")
    return out


@pytest.fixture(scope="module")
def served(site):
    """The site on a loopback HTTP server (what a reader's browser gets from any static host)."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *a, **k: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_site_has_every_part(site):
    for page in ("index.html", "getting-started.html", "study.html", "classroom.html", "report.html", "rules.html",
                 "api/index.html", "api/extend.html", "search/search_index.json"):
        assert (site / page).is_file(), page
    for path in nbsupport.NOTEBOOKS:
        assert (site / "notebooks" / f"{path.stem}.html").is_file(), path.stem
    report = (site / "report.html").read_text(encoding="utf-8")
    first_heading = (REPO / "paper" / "generated" / "replication_report.md").read_text(encoding="utf-8").splitlines()[0]
    assert first_heading.lstrip("# ").split(" — ")[0] in report
    rules = (site / "rules.html").read_text(encoding="utf-8")
    assert 'id="r01"' in rules and 'id="r31"' in rules
    api = (site / "api" / "index.html").read_text(encoding="utf-8")
    assert "load_coding" in api and "category_counts" in api and "InputError" in api
    assert "class_summary" in (site / "api" / "extend.html").read_text(encoding="utf-8")


def test_site_loads_nothing_from_the_network(site):
    import re

    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        external = re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="(https?://[^"]+)"', text)
        assert not external, f"{page.relative_to(site)} loads {external[:3]}"


def _check_links(driver, base: str, seen: dict[str, int]) -> list[str]:
    broken = []
    hrefs = driver.execute_script("return Array.from(document.querySelectorAll('a[href]'), a => a.href)")
    for href in hrefs:
        url, fragment = urldefrag(href)
        if urlparse(url).netloc != urlparse(base).netloc:
            continue
        if url not in seen:
            try:
                with urllib.request.urlopen(url, timeout=10) as resp:
                    seen[url] = resp.status
                    body = resp.read().decode("utf-8", "replace")
            except urllib.error.HTTPError as exc:
                seen[url] = exc.code
                body = ""
            if fragment and seen[url] == 200 and f'id="{fragment}"' not in body:
                broken.append(f"{href} (no anchor)")
        if seen[url] != 200:
            broken.append(f"{href} ({seen[url]})")
    return broken


def test_browser_opens_home_and_every_lesson_without_broken_links(browser, served):
    from selenium.webdriver.common.by import By

    pages = ["index.html"] + [f"notebooks/{p.stem}.html" for p in nbsupport.NOTEBOOKS]
    seen: dict[str, int] = {}
    for page in pages:
        browser.get(served + page)
        assert browser.title and "404" not in browser.title, page
        assert _check_links(browser, served, seen) == [], page
        errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
        assert errors == [], f"{page}: {errors}"
        broken_images = browser.execute_script(
            "return Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src.slice(0, 80))")
        assert broken_images == [], page
        if page.startswith("notebooks/"):
            assert browser.find_elements(By.CSS_SELECTOR, ".jupyter-wrapper"), f"{page}: no notebook rendered"
            boxes = browser.find_elements(By.CSS_SELECTOR, "details.solution")
            assert boxes, f"{page}: no solution"
            assert not any(b.get_attribute("open") for b in boxes), f"{page}: a solution is open"
            code = boxes[0].find_element(By.CSS_SELECTOR, "pre")
            assert not code.is_displayed()
            boxes[0].find_element(By.TAG_NAME, "summary").click()
            assert code.is_displayed() and code.text.strip()
    lessons = [u for u in seen if "/notebooks/" in u]
    assert len(lessons) >= len(nbsupport.NOTEBOOKS)  # the navigation links every lesson
