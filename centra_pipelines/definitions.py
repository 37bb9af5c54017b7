"""The one Dagster entry point: every domain's definitions assembled into `defs`."""

from __future__ import annotations

import dagster as dg

from centra_pipelines.defs import domains

defs: dg.Definitions = domains.build_definitions()
