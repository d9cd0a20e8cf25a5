"""Fixtures of the deployment tests: a throw-away PostgreSQL database, hub processes on it."""

from __future__ import annotations

from deployment_fixtures import deployment, deployment_env, ministry, pg_database

__all__ = ["deployment", "deployment_env", "ministry", "pg_database"]
