"""The one Dagster instance `centra-pipelines sync` and `centra-pipelines ui` share.

DAGSTER_HOME, default `./.dagster_home`, with the repository's `dagster.yaml` in effect: Dagster
reads instance settings (pools, run queue, telemetry off, the loggers it manages) only from
`$DAGSTER_HOME/dagster.yaml`, so the home gets the repository's file, written again at every `sync`
and `ui` (edits apply), plus the embedded storage (centra_pipelines/instance_storage.py) with the
home as its directory. The storage is not in the repository's file because its directory must be
the instance's own: a Dagster command run in the repository without DAGSTER_HOME reads
./dagster.yaml and keeps its data in a temporary directory that no setting can name. A home that
holds its own `dagster.yaml` (a production instance, docs/deploy.md) is left as it is.

Two Dagster settings exist only as environment variables (FRAMEWORK_ENV): they are set here, for
`sync` and for the processes `ui` starts, unless already set (a deployment sets them itself).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import centra_pipelines

DEFAULT_HOME = ".dagster_home"
INSTANCE_YAML = "dagster.yaml"
WRITTEN_BY = "# Written by centra-pipelines from the repository's dagster.yaml (edit that one):"
#: Dagster settings read from the environment (docs/deploy.md, docs/sync.md): a partition-range run
#: writes one "planned" event per asset, not one per partition; and a range run's materializations
#: of an asset reach the storage as batches (one insert, the asset's latest row written once).
FRAMEWORK_ENV = {"DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS": "true", "DAGSTER_EVENT_BATCH_SIZE": "1000"}
STORAGE = """
storage:
  custom:
    # Dagster's SQLite storage in this directory, with an event log that stays open and commits with
    # synchronous=NORMAL (docs/sync.md).
    module: centra_pipelines.instance_storage
    class: LocalSqliteStorage
    config:
      base_dir: {home}
"""


def repository_file(name: str) -> Path | None:
    """A file of the repository root (`dagster.yaml`, `workspace.yaml`): the working directory's,
    else the one beside the installed package (an editable install)."""
    for root in (Path.cwd(), Path(centra_pipelines.__file__).resolve().parent.parent):
        if (root / name).is_file():
            return (root / name).resolve()
    return None


def instance_yaml(source: Path, home: Path) -> str:
    """The home's dagster.yaml: the repository's settings and the embedded storage in `home`."""
    return f"{WRITTEN_BY} {source}\n{source.read_text()}{STORAGE.format(home=json.dumps(str(home)))}"


def prepare_dagster_home() -> Path:
    """Set DAGSTER_HOME (default ./.dagster_home), create it, and put the repository's dagster.yaml
    in effect there (with the embedded storage), and FRAMEWORK_ENV. Returns the home."""
    for name, value in FRAMEWORK_ENV.items():
        os.environ.setdefault(name, value)
    home = Path(os.environ.setdefault("DAGSTER_HOME", str(Path(DEFAULT_HOME).resolve()))).resolve()
    home.mkdir(parents=True, exist_ok=True)
    source = repository_file(INSTANCE_YAML)
    target = home / INSTANCE_YAML
    # a link to the repository's file (earlier versions) or a broken one counts as absent
    current = target.read_text() if target.is_file() and not target.is_symlink() else None
    if source is not None and (current is None or current.startswith(WRITTEN_BY)):
        text = instance_yaml(source, home)
        if current != text:
            target.unlink(missing_ok=True)
            target.write_text(text)
    return home
