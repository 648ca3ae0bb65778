"""The web pages in a real browser: headless Chromium from Debian, driven by Selenium.

Skipped (with the reason) where chromium is not installed; under CI=true a missing browser
fails the run instead (.ci/chromium installs it).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.bot.test_importer import SEED_ANSWERS
from tests.browsertools import DESKTOP, PHONE, chromium, data_copy, require_chromium, server_thread
from tests.conftest import ROOT, SEED_ID
from tests.webtools import (
    HOSTILE_ID,
    LONG_TEXT,
    PRIVATE_GID,
    PRIVATE_ID,
    PUBLIC_GID,
    config_from,
    write_config,
)

pytestmark = pytest.mark.browser

SEED_QUESTION = "Why does Botox make my skin appear smoother?"
# The seed's bylines as the page shows them (name, credentials · specialty · location).
SEED_BYLINES = [
    "unnamed facial plastic surgeon in Panama City",
    "unattributed",
    "Dr. Green",
    "Aldo Guerra, MD · Plastic Surgeon · Scottsdale",
    "Hardik Soni, MD (not currently practicing)",
    "Sharon Scherl, MD · Dermatologist · Englewood",
    "unattributed",
    "Matthew Brace, MD · Facial Plastic Surgeon · Ontario",
    "Omeed Memar, MD, PhD · Dermatologic Surgeon · Chicago",
    "Dr. Richard Swift",
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    require_chromium()
    tmp = tmp_path_factory.mktemp("web")
    with server_thread(config_from(write_config(tmp, data_copy(ROOT, tmp)))) as address:
        yield address


@pytest.fixture(scope="module")
def browser(site: str) -> Iterator[Any]:
    with chromium(javascript=True) as driver:
        yield driver


@pytest.fixture(scope="module")
def no_js_browser(site: str) -> Iterator[Any]:
    with chromium(javascript=False) as driver:
        yield driver


def texts(driver: Any, css: str) -> list[str]:
    from selenium.webdriver.common.by import By

    return [e.text for e in driver.find_elements(By.CSS_SELECTOR, css)]


def search(driver: Any, site: str, query: str) -> None:
    """Type into the search box and submit the form, as a visitor does."""
    from selenium.webdriver.common.by import By

    driver.get(site + "/")
    box = driver.find_element(By.CSS_SELECTOR, "input#q")
    assert box.get_attribute("aria-label") or driver.find_element(By.CSS_SELECTOR, "label[for=q]").text
    box.send_keys(query)
    driver.find_element(By.CSS_SELECTOR, "form.search button[type=submit]").click()
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 10).until(lambda d: "/search?q=" in d.current_url)


def test_search_botox_pores_then_entry_page_shows_all_ten_experts(browser: Any, site: str) -> None:
    from selenium.webdriver.common.by import By

    search(browser, site, "botox pores")
    assert "/search?q=botox+pores" in browser.current_url
    assert SEED_QUESTION in browser.find_element(By.CSS_SELECTOR, ".result h2").text
    browser.find_element(By.LINK_TEXT, "Read all 10 answers").click()
    assert browser.current_url == f"{site}/faq/{SEED_ID}"
    assert browser.find_element(By.TAG_NAME, "h1").text == SEED_QUESTION
    titles = texts(browser, "article.answer h3")
    assert titles == [t for t, _label in SEED_ANSWERS]
    assert texts(browser, "article.answer .byline") == SEED_BYLINES
    disagreement = browser.find_element(By.CSS_SELECTOR, ".disagreement")
    assert "Where experts differ: pore size" in disagreement.text
    sides = texts(browser, ".disagreement ul.sides li")
    assert len(sides) == 2
    assert any("smaller pores" in s for s in sides) and any(
        "does not change your pore size" in s for s in sides
    )
    assert "not medical advice" in browser.find_element(By.CSS_SELECTOR, ".disclaimer").text
    assert browser.find_element(By.CSS_SELECTOR, "time").get_attribute("datetime")


def test_hostile_entry_renders_inert(browser: Any, site: str) -> None:
    from selenium.webdriver.common.by import By

    browser.get(f"{site}/g/{PUBLIC_GID}/faq/{HOSTILE_ID}")
    # Had any injected script run, the title would be 'pwned' or an alert would be open
    # (Selenium raises UnexpectedAlertPresentException on the next command).
    assert browser.title.startswith("Is <script>")
    assert browser.execute_script("return document.scripts.length") == 0
    assert browser.find_elements(By.CSS_SELECTOR, "main img, main svg, main b, main i") == []
    h1 = browser.find_element(By.TAG_NAME, "h1").text
    assert "<script>document.title='pwned'</script>" in h1 and "<img src=x onerror=alert(1)>" in h1
    hrefs = [a.get_attribute("href") or "" for a in browser.find_elements(By.CSS_SELECTOR, "a")]
    assert not [h for h in hrefs if not h.startswith(("http://", "https://"))], hrefs
    assert "https://example.org/good-doctor" in hrefs
    assert "profile address withheld" in browser.find_element(By.CSS_SELECTOR, "#answer-1 .byline").text
    assert "<i>evil source</i>" in browser.find_element(By.CSS_SELECTOR, ".source").text
    long_answer = browser.find_element(By.CSS_SELECTOR, "#answer-2 .text")
    assert long_answer.text.replace("\n", " ").strip() == LONG_TEXT.strip()
    # The 4000-character answer wraps inside the page: no sideways scrolling.
    assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")


def test_private_guild_entry_is_404(browser: Any, site: str) -> None:
    from selenium.webdriver.common.by import By

    for path in (f"/g/{PRIVATE_GID}/faq/{PRIVATE_ID}", f"/faq/{PRIVATE_ID}", f"/g/{PRIVATE_GID}/"):
        browser.get(site + path)
        assert browser.find_element(By.TAG_NAME, "h1").text == "Not found", path
        assert "Only for our members" not in browser.page_source


def test_pages_work_with_javascript_off(no_js_browser: Any, site: str) -> None:
    from selenium.webdriver.common.by import By

    driver = no_js_browser
    driver.get(site + "/")
    assert SEED_QUESTION in driver.find_element(By.TAG_NAME, "main").text
    driver.find_element(By.LINK_TEXT, SEED_QUESTION).click()
    assert driver.current_url == f"{site}/faq/{SEED_ID}"
    assert len(driver.find_elements(By.CSS_SELECTOR, "article.answer")) == 10
    search(driver, site, "capital of France")
    assert "No answer for that question yet" in driver.find_element(By.TAG_NAME, "main").text
    search(driver, site, "botox pores")
    assert SEED_QUESTION in driver.find_element(By.TAG_NAME, "main").text, driver.page_source


def test_readable_on_a_phone(site: str) -> None:
    from selenium.webdriver.common.by import By

    with chromium(javascript=True, size=PHONE) as phone:
        for path in ("/", f"/faq/{SEED_ID}", f"/g/{PUBLIC_GID}/faq/{HOSTILE_ID}"):
            phone.get(site + path)
            assert phone.execute_script("return window.innerWidth") <= PHONE[0]
            # Nothing wider than the screen, and body text at a readable size.
            assert phone.execute_script("return document.documentElement.scrollWidth <= window.innerWidth"), (
                path
            )
            size = phone.execute_script(
                "return parseFloat(getComputedStyle(document.querySelector('main p')).fontSize)"
            )
            assert size >= 15, (path, size)
        button = phone.find_element(By.CSS_SELECTOR, "form.search button")
        assert button.size["height"] >= 36  # a comfortable tap target


def test_stylesheet_applies_under_the_csp(browser: Any, site: str) -> None:
    """The CSP allows the one static stylesheet: it must actually apply (no blocked style)."""
    browser.get(f"{site}/faq/{SEED_ID}")
    colour = browser.execute_script(
        "return getComputedStyle(document.querySelector('.summary')).backgroundColor"
    )
    assert colour == "rgb(244, 246, 248)"
    assert DESKTOP[0] >= browser.execute_script("return window.innerWidth") > PHONE[0]
