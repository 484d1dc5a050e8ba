"""Settings come from the environment only; production refuses to start half-configured; the
deployment checks pass; every response carries the security headers and the CSP."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.test import Client

ROOT = Path(__file__).resolve().parents[1]
HOST = "cicte.example.org"

# Print what the settings resolved to (the secrets only as a match, never themselves).
PROBE = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "debug": settings.DEBUG,
    "secret_key": settings.SECRET_KEY,
    "allowed_hosts": settings.ALLOWED_HOSTS,
    "database": settings.DATABASES["default"]["ENGINE"],
    "email_password": settings.EMAIL_HOST_PASSWORD,
    "email_backend": settings.EMAIL_BACKEND,
    "field_keys": settings.FIELD_ENCRYPTION_KEYS,
}))
"""

# Fetch pages as a browser behind the TLS-terminating proxy would, and print their headers.
HEADERS_PROBE = """
import json, django
django.setup()
from django.test import Client
client = Client()
https = client.get("/accounts/login/", headers={"host": "%(host)s", "x-forwarded-proto": "https"})
http = client.get("/accounts/login/", headers={"host": "%(host)s"})
health = client.get("/healthz", headers={"host": "%(host)s"})
print(json.dumps({
    "status": https.status_code,
    "headers": dict(https.headers),
    "cookies": {name: dict(c) for name, c in https.cookies.items()},
    "http_status": http.status_code,
    "http_location": http.headers.get("Location"),
    "health": [health.status_code, health.json()],
}))
"""

EXPECTED_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def csp_directives(header: str) -> dict[str, str]:
    directives = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition(" ")
        if name:
            directives[name] = value.strip()
    return directives


def run(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run Python in a clean environment: only what is given here reaches the settings."""
    base = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "LC_ALL"}}
    base.update(
        DJANGO_SETTINGS_MODULE="cicte.settings",
        CICTE_VAR_DIR=str(tmp_path / "var"),
        PYTHONDONTWRITEBYTECODE="1",
    )
    base.update(env)
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=base,
        capture_output=True,
        text=True,
        timeout=180,
    )


def production(**extra: str) -> dict[str, str]:
    return {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": HOST,
        **extra,
    }


def test_refuses_to_start_without_secret_key(tmp_path: Path):
    result = run(tmp_path, "manage.py", "check", DEBUG="false", ALLOWED_HOSTS=HOST)

    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_refuses_to_start_without_allowed_hosts(tmp_path: Path):
    result = run(tmp_path, "manage.py", "check", DEBUG="false", SECRET_KEY="k" * 60)

    assert result.returncode != 0
    assert "ImproperlyConfigured: ALLOWED_HOSTS must be set when DEBUG is off" in result.stderr


def test_debug_defaults_to_off(tmp_path: Path):
    # Nothing set at all: production mode, so the missing secret key stops it.
    result = run(tmp_path, "-c", PROBE)

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_refuses_a_debug_value_it_does_not_understand(tmp_path: Path):
    result = run(tmp_path, "-c", PROBE, DEBUG="maybe")

    assert result.returncode != 0
    assert "DEBUG must be true or false, not 'maybe'" in result.stderr


def test_secrets_are_read_from_files(tmp_path: Path):
    secret_key = secrets.token_urlsafe(60)
    fernet_keys = [Fernet.generate_key().decode(), Fernet.generate_key().decode()]
    files = {
        "SECRET_KEY_FILE": secret_key,
        "EMAIL_HOST_PASSWORD_FILE": "smtp password with spaces",
        "FIELD_ENCRYPTION_KEY_FILE": ",".join(fernet_keys),
        "DATABASE_URL_FILE": "postgres://cicte:pw@db.internal:5432/cicte",
    }
    env = {"DEBUG": "false", "ALLOWED_HOSTS": f"{HOST}, www.{HOST}"}
    for name, content in files.items():
        path = tmp_path / name.lower()
        path.write_text(content + "\n")  # a trailing newline, as editors and `echo` leave it
        env[name] = str(path)

    result = run(tmp_path, "-c", PROBE, **env)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "debug": False,
        "secret_key": secret_key,
        "allowed_hosts": [HOST, f"www.{HOST}"],
        "database": "django.db.backends.postgresql",
        "email_password": "smtp password with spaces",
        "email_backend": "django.core.mail.backends.smtp.EmailBackend",
        "field_keys": fernet_keys,
    }


def test_a_secret_file_that_cannot_be_read_is_an_error(tmp_path: Path):
    result = run(
        tmp_path,
        "-c",
        PROBE,
        DEBUG="false",
        ALLOWED_HOSTS=HOST,
        SECRET_KEY_FILE=str(tmp_path / "missing"),
    )

    assert result.returncode != 0
    assert "SECRET_KEY_FILE names" in result.stderr
    assert "which cannot be read" in result.stderr


def test_deployment_checks_pass_with_production_settings(tmp_path: Path):
    result = run(
        tmp_path, "manage.py", "check", "--deploy", "--fail-level", "WARNING", **production()
    )

    assert result.returncode == 0, result.stdout + result.stderr
    # Only the reminder that FIELD_ENCRYPTION_KEY is better set (an Info, below WARNING).
    output = result.stdout + result.stderr
    assert "?: (cicte.I001) FIELD_ENCRYPTION_KEY is not set" in output
    assert "System check identified 1 issue (0 silenced)." in output


def test_deployment_checks_are_silent_with_an_encryption_key(tmp_path: Path):
    env = production(FIELD_ENCRYPTION_KEY=Fernet.generate_key().decode())

    result = run(tmp_path, "manage.py", "check", "--deploy", "--fail-level", "INFO", **env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_deployment_checks_fail_on_a_weak_secret_key(tmp_path: Path):
    # The check is not a rubber stamp: a short key is reported.
    env = production(SECRET_KEY="too-short")

    result = run(tmp_path, "manage.py", "check", "--deploy", "--fail-level", "WARNING", **env)

    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


def test_production_responses_carry_the_security_headers(tmp_path: Path):
    env = production()
    # Production serves hashed, compressed static files: collect them first, as deployed.
    collect = run(tmp_path, "manage.py", "collectstatic", "--noinput", "-v0", **env)
    assert collect.returncode == 0, collect.stderr

    result = run(tmp_path, "-c", HEADERS_PROBE % {"host": HOST}, **env)

    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout)
    headers = probe["headers"]
    assert probe["status"] == 200
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert csp_directives(headers["Content-Security-Policy"]) == EXPECTED_CSP
    assert probe["cookies"]["csrftoken"]["secure"] is True
    assert probe["cookies"]["csrftoken"]["httponly"] is True
    # Plain HTTP is sent to HTTPS.
    assert (probe["http_status"], probe["http_location"]) == (
        301,
        f"https://{HOST}/accounts/login/",
    )
    # Except the health check, which load balancers ask the web processes directly.
    assert probe["health"] == [200, {"status": "ok"}]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/healthz", "/"])
def test_every_response_carries_the_security_headers(client: Client, path: str):
    response = client.get(path)

    assert response.status_code == {"/accounts/login/": 200, "/healthz": 200, "/": 302}[path]
    assert csp_directives(response["Content-Security-Policy"]) == EXPECTED_CSP
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_api_errors_carry_the_headers_too(client: Client):
    response = client.get("/api/organizations/")

    assert response.status_code == 401
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert csp_directives(response["Content-Security-Policy"]) == EXPECTED_CSP
