"""Landing files: names sort by receive time; a failed write leaves no file and no temporary file."""

import json
import os
from datetime import datetime, timedelta, timezone

import pytest

from centra_pipelines.webhooks import land_call, landing_name, write_atomically


def test_names_sort_by_receive_time_and_are_utc():
    base = datetime(2025, 3, 9, 23, 59, 59, 999_999, tzinfo=timezone(timedelta(hours=2)))
    names = [landing_name(base + timedelta(microseconds=step)) for step in (0, 1, 10**6, 10**9)]
    assert names == sorted(names)
    assert names[0].startswith("20250309T215959.999999Z-") and names[0].endswith(".json")


def test_land_call_writes_one_whole_record(tmp_path):
    received = datetime(2025, 1, 2, 3, 4, 5, 6, tzinfo=timezone.utc)
    path = land_call(tmp_path, received_at=received, remote_addr="10.0.0.1", peer_addr="127.0.0.1",
                     signature_timestamp=1_735_787_045, content_type="application/json", user_agent=None,
                     body_bytes=12, body_sha256="ab" * 32, encoding="json", payload={"events": []})
    assert os.listdir(tmp_path) == [path.name]
    record = json.loads(path.read_text())
    assert record["received_at"] == "2025-01-02T03:04:05.000006Z"
    assert record["payload"] == {"events": []} and record["format"] == 1


def test_failed_rename_leaves_neither_file_nor_temporary(tmp_path):
    (tmp_path / "taken.json").mkdir()
    (tmp_path / "taken.json" / "keep").write_text("x")  # a non-empty directory cannot be replaced
    with pytest.raises(OSError):
        write_atomically(tmp_path, "taken.json", b"{}")
    assert sorted(os.listdir(tmp_path)) == ["taken.json"]
