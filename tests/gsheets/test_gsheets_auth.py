"""Signing in as production does (ARCHITECTURE §6): a service account key file read by
google-auth, its signed assertion exchanged at the token endpoint for a bearer token that
every request carries; a token the API stops accepting is refreshed once and the sync goes
on. The key is made for the test run; the fake checks the assertion's signature with it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fakes.sheets_fake import FakeSheets
from gsheets_support import SID, Rig

from bridge.backends import make_backend
from bridge.backends.gsheets import SheetsBackend, SheetsError

EMAIL = "tracker-sync@tracker-test.iam.gserviceaccount.com"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_pem(key: rsa.RSAPrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def key_file(path: Path, key: rsa.RSAPrivateKey, fake: FakeSheets) -> Path:
    """A service account key file as the Google Cloud console makes one."""
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    info = {
        "type": "service_account",
        "project_id": "tracker-test",
        "private_key_id": "test-key-1",
        "private_key": private,
        "client_email": EMAIL,
        "client_id": "100000000000000000001",
        "token_uri": fake.token_uri,
    }
    path.write_text(json.dumps(info), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return new_key()


@pytest.fixture
def rig(project: Path, tmp_path_factory: pytest.TempPathFactory, key: rsa.RSAPrivateKey) -> Rig:
    rig = Rig.after_pipeline(project, tmp_path_factory)
    rig.fake.add_service_account(EMAIL, public_pem(key))
    return rig


def backend(rig: Rig, key: rsa.RSAPrivateKey) -> SheetsBackend:
    """The backend as `tracker` makes it from the environment."""
    path = key_file(rig.root / "service-account.json", key, rig.fake)
    env = {"GSHEETS_SPREADSHEET_ID": SID, "GOOGLE_APPLICATION_CREDENTIALS": str(path)}
    made = make_backend(rig.settings(), "gsheets", env)
    assert isinstance(made, SheetsBackend)
    return made


def test_without_a_token_every_request_is_refused(rig: Rig) -> None:
    with pytest.raises(SheetsError, match="HTTP 401 Request is missing required authentication"):
        rig.sync()
    assert [(c.kind, c.status) for c in rig.fake.calls] == [("metadata", 401)]


def test_the_service_account_signs_in_once_and_every_request_carries_its_token(
    rig: Rig, key: rsa.RSAPrivateKey
) -> None:
    report = rig.sync(backend=backend(rig, key))
    assert report.pushed
    assert [(c.kind, c.status) for c in rig.fake.calls] == [
        ("token", 200),
        ("metadata", 200),
        ("structure", 200),
        ("write", 200),
    ]
    assert rig.fake.values("Candidates") == rig.expected_values("candidates")
    assert rig.fake.calls[0].body["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"


def test_a_token_that_expires_during_a_sync_is_refreshed_once_and_the_sync_goes_on(
    rig: Rig, key: rsa.RSAPrivateKey
) -> None:
    rig.fake.after_next("metadata", rig.fake.expire_tokens)
    report = rig.sync(backend=backend(rig, key))
    assert report.pushed
    assert [(c.kind, c.status) for c in rig.fake.calls] == [
        ("token", 200),
        ("metadata", 200),
        ("structure", 401),
        ("token", 200),
        ("structure", 200),
        ("write", 200),
    ]
    assert rig.fake.values("Candidates") == rig.expected_values("candidates")


def test_a_token_expired_by_time_is_refreshed(rig: Rig, key: rsa.RSAPrivateKey) -> None:
    made = backend(rig, key)
    rig.sync(backend=made)
    rig.clock.advance(2 * 3600)  # the token the backend holds is past its hour
    rig.sync(backend=made)
    assert [(c.kind, c.status) for c in rig.fake.calls][:3] == [
        ("read", 401),
        ("token", 200),
        ("read", 200),
    ]
    assert rig.fake.issued == 2


def test_a_key_the_service_does_not_know_is_refused_in_one_line(rig: Rig) -> None:
    with pytest.raises(SheetsError) as caught:
        rig.sync(backend=backend(rig, new_key()))
    message = str(caught.value)
    assert message.startswith("Google Sheets: the service account was refused (")
    assert "invalid_grant" in message and "Invalid JWT Signature." in message
    assert "\n" not in message
    assert [(c.kind, c.status) for c in rig.fake.calls] == [("token", 400)]
