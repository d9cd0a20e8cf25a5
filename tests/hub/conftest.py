"""Fixtures: a running hub on 127.0.0.1 with a trust store of test parties."""

from hub_fixtures import hub, hub_factory, party_keys

__all__ = ["hub", "hub_factory", "party_keys"]
