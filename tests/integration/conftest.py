"""Fixtures for the integration tests; the helpers live in ``harness``."""

from tests.integration.harness import scenario_dir

__all__ = ["scenario_dir"]
