"""A mail's HTML part as headless Chromium (Debian's ``chromium``) lays it out: the text a reader sees, and
whether it fits the screen."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Headless Chromium's window is at least 500 px wide: the mail is shown in a frame of the width asked for, and
# measured there after layout (in a page around it: the mail itself carries no script).
FRAME = """<!DOCTYPE html><html><body style="margin:0;background:#D1D5DB;">
<iframe id="mail" style="display:block;margin:0 auto;width:{width}px;height:{height}px;border:0;background:#fff"
 srcdoc="{html}"></iframe>
<script>
window.addEventListener('load', () => {{
  const doc = document.getElementById('mail').contentDocument;
  const card = doc.querySelector('table table');
  document.body.setAttribute('data-probe', JSON.stringify({{
    text: doc.body.innerText,
    scrollWidth: doc.documentElement.scrollWidth,
    font: doc.defaultView.getComputedStyle(card).fontFamily,
    cardWidth: card.getBoundingClientRect().width,
    images: doc.images.length,
    links: [...doc.querySelectorAll('a')].map(a => a.getAttribute('href')),
  }}));
}});
</script></body></html>"""


def needs_chromium() -> None:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have Chromium (apt package chromium, see .ci/run)")
        pytest.skip("Chromium not installed")


def _run(args: list[str]) -> str:
    command = [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
               "--no-first-run", "--disable-extensions", "--blink-settings=imagesEnabled=false", *args]
    done = subprocess.run(command, capture_output=True, encoding="utf-8", timeout=120, check=True)
    return done.stdout


class _Probe(HTMLParser):
    found: dict | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            value = dict(attrs).get("data-probe")
            if value:
                self.found = json.loads(value)


def _framed(html: str, width: int, height: int) -> str:
    return FRAME.format(width=width, height=height, html=escape(html, quote=True))


def layout(html: str, width: int) -> dict:
    """What Chromium shows of ``html`` in a viewport ``width`` CSS pixels wide."""
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "mail.html"
        page.write_text(_framed(html, width, 4000), encoding="utf-8")
        dom = _run([f"--window-size={max(width, 500)},2000", "--virtual-time-budget=5000", "--dump-dom",
                    page.as_uri()])
    parser = _Probe()
    parser.feed(dom)
    assert parser.found is not None, dom[:500]
    return parser.found


def screenshot(html: str, target: Path, width: int = 375, height: int = 1100) -> None:
    """A picture of ``html`` in a ``width``-px viewport, centred on a grey page at least 500 px wide."""
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "mail.html"
        page.write_text(_framed(html, width, height), encoding="utf-8")
        _run([f"--window-size={max(width, 500)},{height}", "--force-device-scale-factor=2",
              "--virtual-time-budget=5000", f"--screenshot={target}", page.as_uri()])
