"""The main journey in real headless Chromium: sign in with a password and a TOTP code, switch
to Spanish with the header's language form, reach the dashboard; axe-core checks every page."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from cicte.accounts.tests import factories

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    # live_server needs committed data; serialized_rollback restores the reference data (member
    # states, roles, networks) that migrations load, for any transactional test that follows.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def path_of(page: Any) -> str:
    return urlsplit(page.url).path


def sign_in(page: Any, live_server: Any, user: Any, device: Any, check: Any = None) -> None:
    """Password, then the authenticator code, through the real forms."""
    page.goto(f"{live_server.url}/")
    assert path_of(page) == "/accounts/login/"  # anonymous visitors are sent to sign in
    if check:
        check(page, "the sign-in page")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(factories.PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert path_of(page) == "/accounts/login/verify/"
    if check:
        check(page, "the two-factor verification page")
    page.locator("input[name=token]").fill(factories.totp_now(device))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert path_of(page) == "/", page.content()[:2000]


def test_sign_in_with_totp_switch_to_spanish_and_reach_dashboard(
    live_server: Any, open_tab: Any, check_accessibility: Any
):
    user = factories.secretariat_admin(full_name="Laura Méndez")
    device = factories.add_totp(user)
    tab = open_tab(bypass_csp=True)
    page = tab.page

    sign_in(page, live_server, user, device, check=check_accessibility)
    assert page.locator("html").get_attribute("lang") == "en"
    check_accessibility(page, "the dashboard")

    page.select_option("#language-select", "es")
    with page.expect_navigation():
        page.locator("form.lang-switch button[type=submit]").click()

    assert path_of(page) == "/"
    assert page.locator("html").get_attribute("lang") == "es"
    # Spanish from the compiled catalog (`make install` compiles it), not just the lang attribute.
    assert page.title() == "Panel · Plataforma del CICTE"
    assert "Laura Méndez" in page.locator("h1").inner_text()
    assert page.locator("#language-select").input_value() == "es"
    check_accessibility(page, "the dashboard in Spanish")
    assert tab.errors == []


def test_pages_keep_to_the_content_security_policy(live_server: Any, open_tab: Any):
    """Under the real policy (script-src 'self', style-src 'self'), no page of the journey
    triggers a violation or a script error."""
    user = factories.secretariat_admin()
    device = factories.add_totp(user)
    tab = open_tab()
    violations: list[str] = []
    tab.page.expose_function("cicteReportViolation", lambda text: violations.append(text))
    tab.page.add_init_script(
        """document.addEventListener("securitypolicyviolation", (e) =>
            window.cicteReportViolation(e.violatedDirective + " " + (e.blockedURI || "inline")));"""
    )

    sign_in(tab.page, live_server, user, device)

    assert tab.page.locator("html").get_attribute("lang") == "en"
    assert violations == []
    assert tab.errors == []
