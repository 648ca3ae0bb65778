"""Screenshots of the web pages for docs/ (issue 18), taken with the browser the tests use.

    .venv/bin/python -m tests.webshots docs/

Writes web-index-{desktop,phone}.png and web-entry-{desktop,phone}.png: the index and the
seed entry at desktop width (full page) and phone width (the first screens).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from tests.browsertools import DESKTOP, PHONE, chromium, data_copy, server_thread
from tests.conftest import ROOT, SEED_ID
from tests.webtools import config_from, write_config


def shoot(out: Path) -> list[Path]:
    written = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        config = config_from(write_config(tmp, data_copy(ROOT, tmp), site_name="Skin care FAQ"))
        with server_thread(config) as site:
            for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
                with chromium(size=size) as driver:
                    for page, path in (("index", "/"), ("entry", f"/faq/{SEED_ID}")):
                        driver.get(site + path)
                        height = driver.execute_script("return document.documentElement.scrollHeight")
                        if size[0] >= 500:
                            driver.set_window_size(size[0], min(height + 120, 6000))
                        else:  # the emulated phone screen: grow it to the page's height
                            driver.execute_cdp_cmd(
                                "Emulation.setDeviceMetricsOverride",
                                {
                                    "width": size[0],
                                    "height": min(height, 1700),
                                    "deviceScaleFactor": 2,
                                    "mobile": True,
                                },
                            )
                        target = out / f"web-{page}-{label}.png"
                        driver.save_screenshot(str(target))
                        written.append(target)
    return written


if __name__ == "__main__":
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "docs")
    for path in shoot(folder):
        print(path)
