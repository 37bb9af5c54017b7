"""Run monitoring with the shipped dagster.yaml: a run whose process is killed is marked failed by the
daemon's monitoring pass; a live run is left alone."""

import logging
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg

from centra_pipelines.defs.operations.launcher import MonitoredRunLauncher

REPO_YAML = Path(__file__).resolve().parents[3] / "dagster.yaml"

# A run executed in its own process, as `centra-pipelines sync` executes them.
RUN_PROCESS = """
import sys, time
import dagster as dg

@dg.op
def wait_for_ever(context):
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write(context.run_id)
    import os; os.replace(sys.argv[1] + ".tmp", sys.argv[1])
    time.sleep(600)

@dg.job
def long_job():
    wait_for_ever()

with dg.DagsterInstance.get() as instance:
    long_job.execute_in_process(instance=instance)
"""


def monitor_once(instance: dg.DagsterInstance) -> None:
    """One pass of the daemon's run monitoring, as `dagster-daemon run` makes every poll interval."""
    from dagster._core.workspace.context import WorkspaceProcessContext
    from dagster._core.workspace.load_target import EmptyWorkspaceTarget
    from dagster._daemon.monitoring.run_monitoring import execute_run_monitoring_iteration

    with WorkspaceProcessContext(instance, EmptyWorkspaceTarget()) as context:
        errors = [error for error in execute_run_monitoring_iteration(context, logging.getLogger("monitoring"))
                  if error]
    assert not errors


def test_run_whose_process_is_killed_is_marked_failed_and_a_live_one_is_not(tmp_path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO_YAML, home / "dagster.yaml")
    started = tmp_path / "started"
    process = subprocess.Popen([sys.executable, "-c", RUN_PROCESS, str(started)],
                               env={**os.environ, "DAGSTER_HOME": str(home)},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not started.exists():
            assert process.poll() is None, "the run's process exited early"
            assert time.monotonic() < deadline, "the run did not start"
            time.sleep(0.2)
        run_id = started.read_text()
        instance = dg.DagsterInstance.from_config(str(home))
        try:
            assert instance.run_monitoring_enabled
            assert isinstance(instance.run_launcher, MonitoredRunLauncher)
            monitor_once(instance)
            assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.STARTED  # alive: left alone

            process.kill()
            process.wait()
            monitor_once(instance)
            assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.FAILURE
            [failure] = [record.event_log_entry for record in instance.get_records_for_run(
                run_id, of_type=dg.DagsterEventType.RUN_FAILURE).records]
            assert f"its process (pid {process.pid}) is gone" in failure.dagster_event.message
        finally:
            instance.dispose()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
