"""The run launcher of both dagster.yaml files: Dagster's default one, plus the worker health check
its run monitoring needs to find dead runs.

Dagster's `DefaultRunLauncher` (run workers started by the code server) cannot say whether a run's
worker is alive, so with it run monitoring never touches a STARTED run: a run whose process was
killed (`kill -9`, an OOM kill, a `centra-pipelines sync` interrupted, `dagster dev` stopped) stays
STARTED for ever and holds its concurrency slots. This launcher answers the question:

1. A run it launched (through a code server, the `.dagster/grpc_info` tag): if that server answers,
   it knows whether it still runs the run (a worker that died under it, it marks failed itself; a
   run it does not know, after a restart, is gone). If it does not answer, the run's process id
   decides, when the run was launched on this machine (`centra/launched_on`: boot and pid namespace).
2. A run executed in its own process (`centra-pipelines sync`, `execute_in_process`): its process id
   decides when `check_pids` is on — only where every such process runs on the daemon's machine
   (the embedded default; off in production, where a sync may run on another host).
3. The process id decides as: alive and started no later than the run means running; gone, a
   zombie, or the id reused by a younger process means dead. Dagster records the id in the run's
   first engine event.
4. Otherwise RUNNING: run monitoring fails a run on any other answer (`max_runtime_seconds` still
   bounds it).

Resuming a dead run needs a launcher that can start a worker for it (Kubernetes, Docker, ECS); here
a dead run is marked failed, and re-executing it continues at its last committed page (sync_state).
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Mapping
from typing import Any

from dagster import DagsterEventType, DagsterRun, DefaultRunLauncher
from dagster._core.launcher.base import CheckRunHealthResult, WorkerStatus
from dagster._core.storage.tags import GRPC_INFO_TAG
from dagster._serdes import ConfigurableClassData


class MonitoredRunLauncher(DefaultRunLauncher):
    def __init__(self, inst_data: ConfigurableClassData | None = None, check_pids: bool = True):
        super().__init__(inst_data=inst_data)
        self.check_pids = check_pids

    @classmethod
    def config_type(cls):
        from dagster import Bool, Field

        return {"check_pids": Field(Bool, is_required=False, default_value=True,
                                    description="Judge a run by its process id (only when every run "
                                                "process and the daemon share one machine and pid namespace).")}

    @classmethod
    def from_config_value(cls, inst_data: ConfigurableClassData, config_value: Mapping[str, Any]):
        return cls(inst_data=inst_data, check_pids=config_value.get("check_pids", True))

    def launch_run(self, context) -> None:
        # Where the code server starts the worker: this machine (the launcher asks a local server).
        self._instance.add_run_tags(context.dagster_run.run_id, {LAUNCHED_ON_TAG: machine_identity()})
        super().launch_run(context)

    @property
    def supports_check_run_worker_health(self) -> bool:
        return True

    def check_run_worker_health(self, run: DagsterRun) -> CheckRunHealthResult:
        answer = self._ask_code_server(run)
        if answer is not None:
            return answer
        launched_here = run.tags.get(LAUNCHED_ON_TAG) == machine_identity()
        in_own_process = GRPC_INFO_TAG not in run.tags
        if launched_here or (in_own_process and self.check_pids):
            answer = self._check_pid(run)
            if answer is not None:
                return answer
        return CheckRunHealthResult(WorkerStatus.RUNNING, "no way to tell from here; assumed running")

    def _ask_code_server(self, run: DagsterRun) -> CheckRunHealthResult | None:
        if GRPC_INFO_TAG not in run.tags:
            return None
        from dagster._grpc.client import DagsterGrpcClient
        from dagster._grpc.types import CanCancelExecutionRequest, CanCancelExecutionResult
        from dagster._serdes import deserialize_value

        info = json.loads(run.tags[GRPC_INFO_TAG])
        client = DagsterGrpcClient(port=info.get("port"), socket=info.get("socket"), host=info.get("host"),
                                   use_ssl=bool(info.get("use_ssl", False)))
        try:
            reply = client.can_cancel_execution(CanCancelExecutionRequest(run_id=run.run_id), timeout=5)
        except Exception:  # unreachable: stopped, restarted elsewhere, or busy; the pid may still tell
            return None
        if deserialize_value(reply, CanCancelExecutionResult).can_cancel:
            return CheckRunHealthResult(WorkerStatus.RUNNING, "its code server still runs it")
        return CheckRunHealthResult(WorkerStatus.FAILED, "the code server that launched it no longer runs it")

    def _check_pid(self, run: DagsterRun) -> CheckRunHealthResult | None:
        pid = _run_pid(self._instance, run.run_id)
        if pid is None:
            return None
        record = self._instance.get_run_record_by_id(run.run_id)
        started = record.start_time if record and record.start_time else None
        process_started = _process_start_time(pid)
        if process_started is None:
            return CheckRunHealthResult(WorkerStatus.FAILED, f"its process (pid {pid}) is gone")
        if started is not None and process_started > started + 1:
            return CheckRunHealthResult(WorkerStatus.FAILED,
                                        f"its process (pid {pid}) is gone; the id now belongs to a younger process")
        return CheckRunHealthResult(WorkerStatus.RUNNING, f"its process (pid {pid}) is alive")


LAUNCHED_ON_TAG = "centra/launched_on"


def machine_identity() -> str:
    """This machine and pid namespace: a process id means the same process only within both."""
    try:
        with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as f:
            boot = f.read().strip()
        return f"{boot}/{os.readlink('/proc/self/ns/pid')}"
    except OSError:
        return socket.gethostname()


def _run_pid(instance, run_id: str) -> int | None:
    """The run's process id from its first engine event that records one ("Started process for run
    (pid: …)" for a launched run, "Executing steps in process (pid: …)" for an in-process one)."""
    records = instance.get_records_for_run(run_id, of_type=DagsterEventType.ENGINE_EVENT, limit=20).records
    for record in records:
        event = record.event_log_entry.dagster_event
        data = event.event_specific_data if event else None
        pid = getattr(data, "metadata", {}).get("pid") if data else None
        if pid is not None:
            try:
                return int(pid.value)
            except (TypeError, ValueError):
                continue
    return None


def _process_start_time(pid: int) -> float | None:
    """Unix time `pid` started, None if no such process. Linux reads /proc; elsewhere only whether
    the process exists is known (its start time is then taken as 0)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass  # exists, owned by someone else
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        if fields[0] == "Z":
            return None  # killed, not yet reaped by its parent
        ticks = int(fields[19])
        with open("/proc/stat", encoding="ascii") as f:
            boot = next(int(line.split()[1]) for line in f if line.startswith("btime "))
    except (OSError, ValueError, IndexError, StopIteration):
        return 0.0
    return boot + ticks / os.sysconf("SC_CLK_TCK")

