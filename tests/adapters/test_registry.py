"""Finding and configuring adapters by name through the entry-point group."""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry

from certhub.adapters import (
    AdapterNotFound,
    AdapterOptions,
    AdapterSetupError,
    CancellationFeed,
    CertificationSource,
    CertificationUplink,
    IdentityVerifier,
    Notifier,
    adapter_names,
    create_adapter,
    create_adapters,
    load_adapter,
)
from certhub.monitoring.adapter_metrics import AdapterMetrics


@pytest.fixture
def options() -> AdapterOptions:
    return AdapterOptions(AdapterMetrics(CollectorRegistry()), testing=True)


def test_the_first_departments_are_installed() -> None:
    assert {"eid", "ministry", "sms"} <= set(adapter_names())


def test_a_wrong_name_suggests_the_right_one() -> None:
    with pytest.raises(AdapterNotFound, match="did you mean 'ministry'"):
        load_adapter("minstry")


def test_an_unknown_name_lists_what_is_installed() -> None:
    with pytest.raises(AdapterNotFound, match=r"installed: .*eid"):
        load_adapter("bank-of-nowhere")


def test_invalid_settings_name_the_field_not_the_value(options: AdapterOptions) -> None:
    with pytest.raises(AdapterSetupError, match="base_url") as caught:
        create_adapter("sms", {"base_url": "not a url 440102195003121231"}, options)
    assert "440102195003121231" not in str(caught.value)


def test_unknown_setting_is_refused(options: AdapterOptions) -> None:
    with pytest.raises(AdapterSetupError, match="bsae_url"):
        create_adapter("sms", {"bsae_url": "http://127.0.0.1:1"}, options)


async def test_adapters_satisfy_their_role_protocols(options: AdapterOptions, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    from certhub.security import SigningKey

    key = tmp_path / "k.json"
    key.write_text(json.dumps(SigningKey.generate().public_jwk()), encoding="utf-8")
    built = create_adapters(
        {
            "eid": {"base_url": "http://127.0.0.1:9/eid/soap"},
            "ministry": {"base_url": "http://127.0.0.1:9", "department_key_path": str(key)},
            "sms": {"base_url": "http://127.0.0.1:9", "enabled": False},
        },
        options,
    )
    assert set(built) == {"eid", "ministry"}
    assert isinstance(built["eid"], IdentityVerifier)
    assert isinstance(built["eid"], CancellationFeed)
    assert isinstance(built["ministry"], CertificationSource)
    assert isinstance(built["ministry"], CertificationUplink)
    for adapter in built.values():
        await adapter.aclose()
    sms = create_adapter("sms", {"base_url": "http://127.0.0.1:9"}, options)
    assert isinstance(sms, Notifier)
    await sms.aclose()


def test_one_typo_fails_start_up_before_anything_opens(options: AdapterOptions) -> None:
    with pytest.raises(AdapterNotFound, match="did you mean 'sms'"):
        create_adapters({"eid": {"base_url": "http://127.0.0.1:9"}, "smss": {}}, options)


def test_ministry_without_a_key_file_fails_at_start_up(options: AdapterOptions) -> None:
    with pytest.raises(AdapterSetupError, match="department_key_path"):
        create_adapter("ministry", {"base_url": "http://127.0.0.1:9"}, options)
