import subprocess
import sys

import dagster as dg


def test_defs_load_and_validate():
    from centra_pipelines.definitions import defs

    dg.Definitions.validate_loadable(defs)
    assert {"centra", "warehouse"} <= set(defs.resources)
    repository = defs.get_repository_def()
    assert all(s.description for s in [*repository.schedule_defs, *repository.sensor_defs])


def test_dagster_cli_validates_the_code_location():
    result = subprocess.run(
        [sys.executable, "-m", "dagster", "definitions", "validate", "-m", "centra_pipelines.definitions"],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout + result.stderr
