"""Correlation ids the hub makes: unique, and never mistaken for an ID number in the logs."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certhub.hub.api import correlation
from certhub.hub.api.correlation import new_correlation_id, sane_correlation_id
from certhub.schemas import mask_numbers_for_logs


@given(serial=st.integers(min_value=1, max_value=2**64) | st.sampled_from([0x111111111111111]))
def test_a_generated_id_survives_log_masking_and_may_be_echoed(serial: int) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(correlation, "_SERIAL", itertools.count(serial))
        made = new_correlation_id()
    assert mask_numbers_for_logs(made) == made  # a run of digits would be starred out
    assert sane_correlation_id(made) == made


def test_generated_ids_are_distinct() -> None:
    made = {new_correlation_id() for _ in range(10_000)}
    assert len(made) == 10_000
