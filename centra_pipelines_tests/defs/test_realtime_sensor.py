"""webhook_landing_sensor over a real landing folder: bounded batches, run keys, cursor, backlog, late files."""

import hashlib
import json
import time
import uuid
from datetime import datetime, timedelta, timezone

import dagster as dg
import pytest

from centra_pipelines.defs.realtime.sensors import build_webhook_landing_sensor
from centra_pipelines.webhooks.landing import landing_name


@pytest.fixture
def instance():
    with dg.instance_for_test() as instance:
        yield instance


def land(landing, count: int, *, seconds_ago: float = 60.0, content: bytes = b"not parsed by the tick") -> list[str]:
    """`count` landed files named as the receiver names them, received `seconds_ago` (1 µs apart)."""
    incoming = landing / "incoming"
    incoming.mkdir(parents=True, exist_ok=True)
    start = datetime.now(timezone.utc) - timedelta(seconds=seconds_ago)
    names = []
    for i in range(count):
        name = landing_name(start + timedelta(microseconds=i))
        (incoming / name).write_bytes(content)
        names.append(name)
    return sorted(names)


def tick(sensor, instance, cursor=None):
    context = dg.build_sensor_context(cursor=cursor, instance=instance)
    return sensor.evaluate_tick(context)


def files_of(request: dg.RunRequest) -> list[str]:
    return request.run_config["ops"]["webhook_calls"]["config"]["files"]


def test_a_tick_hands_out_a_bounded_batch_in_receive_order(tmp_path, instance):
    names = land(tmp_path, 7)
    (tmp_path / "incoming" / f".{landing_name(datetime.now(timezone.utc))}.tmp").write_bytes(b"half written")
    sensor = build_webhook_landing_sensor(landing=tmp_path, batch_size=3, settle_seconds=2, retry_seconds=3600)

    first = tick(sensor, instance)
    [request] = first.run_requests
    assert files_of(request) == names[:3]
    assert request.run_config["ops"]["webhook_calls"]["config"]["landing"] == str(tmp_path.absolute())
    assert request.run_key == "webhooks-" + hashlib.sha256("\n".join(names[:3]).encode()).hexdigest()[:20]
    assert json.loads(first.cursor) == {"after": names[2]}

    again = tick(sensor, instance)  # same cursor, same files: the same run key (Dagster starts it once)
    assert [r.run_key for r in again.run_requests] == [request.run_key]

    second = tick(sensor, instance, first.cursor)
    assert files_of(second.run_requests[0]) == names[3:6]
    third = tick(sensor, instance, second.cursor)
    assert files_of(third.run_requests[0]) == names[6:]
    assert json.loads(third.cursor) == {"after": names[6]}
    done = tick(sensor, instance, third.cursor)
    assert not done.run_requests and "no landed file ready" in done.skip_message and json.loads(done.cursor) == {"after": names[6]}


def test_a_backlog_of_10000_files_drains_over_successive_ticks(tmp_path, instance):
    names = land(tmp_path, 10_000)
    sensor = build_webhook_landing_sensor(landing=tmp_path, batch_size=500, settle_seconds=2, retry_seconds=3600)
    handed, cursor, ticks = [], None, 0
    while True:
        result = tick(sensor, instance, cursor)
        cursor = result.cursor
        if not result.run_requests:
            break
        ticks += 1
        [request] = result.run_requests
        assert len(files_of(request)) == 500
        handed.extend(files_of(request))
    assert ticks == 20
    assert handed == names  # every file once, in receive order


def test_files_inside_the_settle_delay_wait(tmp_path, instance):
    old = land(tmp_path, 2, seconds_ago=30)
    fresh = land(tmp_path, 2, seconds_ago=-5)  # stamped just now (5 s ahead, as a slow clock would)
    sensor = build_webhook_landing_sensor(landing=tmp_path, batch_size=100, settle_seconds=2, retry_seconds=3600)
    result = tick(sensor, instance)
    [request] = result.run_requests
    assert files_of(request) == old
    later = tick(sensor, instance, result.cursor)
    assert not later.run_requests  # the fresh ones are not skipped, only not ready yet
    assert json.loads(later.cursor) == {"after": old[-1]} and fresh[0] > old[-1]


def test_a_file_that_appears_behind_the_cursor_is_handed_out_again(tmp_path, instance):
    first = land(tmp_path, 3, seconds_ago=30)
    sensor = build_webhook_landing_sensor(landing=tmp_path, batch_size=100, settle_seconds=2, retry_seconds=20)
    result = tick(sensor, instance)
    assert files_of(result.run_requests[0]) == first
    for name in first:  # the run processed them
        (tmp_path / "incoming" / name).unlink()
    late = f"{first[0][:23]}-{uuid.uuid4().hex}.json"  # received with the first batch, renamed into place late
    (tmp_path / "incoming" / late).write_bytes(b"{}")
    [retry] = tick(sensor, instance, result.cursor).run_requests
    assert files_of(retry) == [late] and retry.run_key.startswith("webhooks-retry-")


def test_a_tick_waits_for_the_batch_in_flight_then_the_next_takes_everything_landed_meanwhile(tmp_path, instance):
    first = land(tmp_path, 3, seconds_ago=60)
    sensor = build_webhook_landing_sensor(landing=tmp_path, batch_size=100, settle_seconds=2, retry_seconds=3600,
                                          wait_seconds=120)
    [request] = tick(sensor, instance).run_requests
    assert files_of(request) == first
    cursor = json.dumps({"after": first[-1]})
    in_flight = dg.DagsterRun(job_name="webhook_batch_job", run_id=str(uuid.uuid4()), status=dg.DagsterRunStatus.STARTED)
    instance.add_run(in_flight)
    later = land(tmp_path, 2, seconds_ago=30)
    waiting = tick(sensor, instance, cursor)
    assert not waiting.run_requests and "in flight" in waiting.skip_message and waiting.cursor == cursor
    land_more = land(tmp_path, 2, seconds_ago=20)
    instance.report_run_failed(in_flight)  # it ended (any end will do)
    [request] = tick(sensor, instance, cursor).run_requests
    assert files_of(request) == later + land_more  # one run for all that landed while the other ran


def test_a_run_in_flight_is_not_waited_for_past_the_wait_or_with_waiting_off(tmp_path, instance):
    names = land(tmp_path, 2)
    instance.add_run(dg.DagsterRun(job_name="webhook_batch_job", run_id=str(uuid.uuid4()),
                                   status=dg.DagsterRunStatus.STARTED))
    waits = build_webhook_landing_sensor(landing=tmp_path, settle_seconds=2, retry_seconds=3600, wait_seconds=120)
    assert not tick(waits, instance).run_requests
    off = build_webhook_landing_sensor(landing=tmp_path, settle_seconds=2, retry_seconds=3600, wait_seconds=0)
    assert files_of(tick(off, instance).run_requests[0]) == names
    time.sleep(1.1)  # the run was created over a second ago: a one-second wait no longer holds the batch back
    short = build_webhook_landing_sensor(landing=tmp_path, settle_seconds=2, retry_seconds=3600, wait_seconds=1)
    assert files_of(tick(short, instance).run_requests[0]) == names
