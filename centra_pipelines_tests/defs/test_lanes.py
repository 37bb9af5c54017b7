"""Which lane of the shared Centra budget a run spends in, and where the budget lives by default."""

import dagster as dg
import pytest

from centra_pipelines.centra.budget_store import open_store
from centra_pipelines.centra.throttle import Throttle
from centra_pipelines.defs.jobs import LANE_TAG, lane_for_run
from centra_pipelines.defs.resources import CentraResource, instance_budget_url


@pytest.mark.parametrize(("job", "tags", "lane"), [
    ("webhook_batch_job", {}, "realtime"),
    ("centra_events_job", {"dagster/backfill": "abc"}, "realtime"),  # its job decides before the backfill tag
    ("reconciliation_job", {}, "reconciliation"),
    ("catalog_reconciliation_job", {}, "reconciliation"),
    ("orders_daily_job", {"dagster/backfill": "abc"}, "backfill"),
    ("orders_daily_job", {"dagster/schedule_name": "orders_incremental_schedule"}, "incremental"),
    ("orders_daily_job", {LANE_TAG: "realtime"}, "realtime"),  # the tag overrides
    ("webhook_batch_job", {LANE_TAG: "backfill"}, "backfill"),
])
def test_lane_follows_the_job_and_the_tag_overrides(job, tags, lane):
    assert lane_for_run(job, tags) == lane


def test_unknown_lane_tag_is_refused_naming_tag_and_lanes():
    with pytest.raises(ValueError, match=r"centra/lane='urgent'.*realtime, incremental, reconciliation, backfill"):
        lane_for_run("orders_daily_job", {LANE_TAG: "urgent"})


def test_persistent_instance_keeps_the_budget_in_a_sqlite_file_in_its_directory(tmp_path):
    with dg.DagsterInstance.local_temp(str(tmp_path)) as instance:
        url = instance_budget_url(instance)
    assert url == f"sqlite:///{tmp_path / 'centra_budget.sqlite'}"
    first, second = (Throttle(store=open_store(url), key="centra:x") for _ in range(2))
    try:
        for _ in range(10):
            first.acquire()
        # a second process (here: a second connection) sees what the first spent
        assert second.levels()[("requests", 10.0)].available == pytest.approx(20.0, abs=0.1)
    finally:
        first.close()
        second.close()


def test_ephemeral_instance_keeps_the_budget_in_the_process():
    with dg.DagsterInstance.ephemeral() as instance:
        assert instance_budget_url(instance) == "memory"


def test_resource_lane_in_a_run_comes_from_its_job(tmp_path):
    seen = {}

    @dg.asset
    def probe(centra: CentraResource) -> None:
        seen["lane"] = centra.effective_lane

    job = dg.define_asset_job("webhook_batch_job", selection=[probe])
    defs = dg.Definitions(assets=[probe], jobs=[job], resources={"centra": CentraResource()})
    with dg.DagsterInstance.ephemeral() as instance:
        assert defs.resolve_job_def("webhook_batch_job").execute_in_process(instance=instance).success
        assert seen["lane"] == "realtime"
        assert defs.resolve_job_def("webhook_batch_job").execute_in_process(
            instance=instance, tags={LANE_TAG: "backfill"}).success
        assert seen["lane"] == "backfill"


@pytest.mark.parametrize("url", ["memcached://cache:11211", "sqlite://", "mysql://db/budget"])
def test_unusable_budget_url_is_refused_with_the_choices(url):
    with pytest.raises(ValueError, match="sqlite:///"):
        open_store(url)
