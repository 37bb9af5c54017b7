"""The one Dagster instance `centra-pipelines sync` and `centra-pipelines ui` share.

DAGSTER_HOME, default `./.dagster_home`, with the repository's `dagster.yaml` in effect: Dagster
reads instance settings (pools, run queue, telemetry off, the loggers it manages) only from
`$DAGSTER_HOME/dagster.yaml`, so the home gets a link to the repository's file. A home that holds
its own `dagster.yaml` (a production instance) is left as it is.
"""

from __future__ import annotations

import os
from pathlib import Path

import centra_pipelines

DEFAULT_HOME = ".dagster_home"
INSTANCE_YAML = "dagster.yaml"


def repository_file(name: str) -> Path | None:
    """A file of the repository root (`dagster.yaml`, `workspace.yaml`): the working directory's,
    else the one beside the installed package (an editable install)."""
    for root in (Path.cwd(), Path(centra_pipelines.__file__).resolve().parent.parent):
        if (root / name).is_file():
            return (root / name).resolve()
    return None


def prepare_dagster_home() -> Path:
    """Set DAGSTER_HOME (default ./.dagster_home), create it, and put the repository's dagster.yaml
    in effect there (a link, so later edits apply too). Returns the home."""
    home = Path(os.environ.setdefault("DAGSTER_HOME", str(Path(DEFAULT_HOME).resolve())))
    home.mkdir(parents=True, exist_ok=True)
    source = repository_file(INSTANCE_YAML)
    target = home / INSTANCE_YAML
    if source is not None and (target.is_symlink() or not target.exists()):
        if target.is_symlink() and target.resolve() == source:
            return home
        target.unlink(missing_ok=True)
        try:
            target.symlink_to(source)
        except OSError:  # no symlinks on this filesystem: a copy
            target.write_bytes(source.read_bytes())
    return home

