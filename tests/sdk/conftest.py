"""Shared fixtures of the SDK cases: the emulator started by scripts/sdk-check.sh (its URL,
tenant, subscription and app come from the environment), one client-secret credential, and
the management clients pointed at the emulator. Loopback only: the script refuses any other
address, and nothing here names another host."""

import os
import uuid
from urllib.parse import urlparse

import pytest
from azure.identity import ClientSecretCredential

ARM_SCOPE = "https://management.azure.com/.default"


def _env(name):
    value = os.environ.get(name)
    if not value:
        pytest.exit(f"{name} is not set: run scripts/sdk-check.sh", returncode=2)
    return value


@pytest.fixture(scope="session")
def emulator():
    url = _env("AIFACTORY_EMULATOR_URL").rstrip("/")
    host = urlparse(url).hostname
    assert host in ("127.0.0.1", "::1", "localhost"), f"not loopback: {url}"
    return {
        "url": url,
        "tenant": _env("AIFACTORY_EMULATOR_TENANT"),
        "subscription": _env("AIFACTORY_EMULATOR_SUBSCRIPTION"),
        "client_id": _env("AIFACTORY_EMULATOR_CLIENT_ID"),
        "secret": _env("AIFACTORY_EMULATOR_CLIENT_SECRET"),
    }


@pytest.fixture(scope="session")
def credential(emulator):
    # MSAL talks to the emulator's Entra endpoints: no instance discovery, the emulator as
    # the authority host; TLS trusts the emulator's CA through REQUESTS_CA_BUNDLE.
    return ClientSecretCredential(
        emulator["tenant"],
        emulator["client_id"],
        emulator["secret"],
        authority=emulator["url"],
        disable_instance_discovery=True,
    )


def mgmt(cls, emulator, credential, **kwargs):
    """A management client of `cls` pointed at the emulator."""
    return cls(
        credential,
        emulator["subscription"],
        base_url=emulator["url"],
        credential_scopes=[ARM_SCOPE],
        polling_interval=0.1,
        **kwargs,
    )


@pytest.fixture
def name():
    """A fresh lowercase name (storage account rules: letters and digits)."""
    return "sdk" + uuid.uuid4().hex[:12]
