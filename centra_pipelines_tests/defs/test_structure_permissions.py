"""A token without the permission for one of the structure lists: a WARN on that asset naming the
permission, an empty load, and a sync that goes on."""

import dagster as dg

from centra_pipelines.sandbox.auth import Token
from centra_pipelines.sandbox.permissions import READ_PERMISSIONS
from centra_pipelines.warehouse import connect, duckdb_url
from centra_pipelines_tests.defs.conftest import make_defs

STRUCTURE = ["accounts", "brands", "collections", "folders", "categories"]


def test_missing_permission_warns_on_that_asset_and_the_run_succeeds(make_sandbox, tmp_path, dagster_instance):
    server = make_sandbox(tokens=(Token("sandbox", permissions=READ_PERMISSIONS - {"Category:read", "Account:read"}),))
    url = duckdb_url(tmp_path / "centra.duckdb")
    result = make_defs(server, url).resolve_job_def("reference_and_catalog_job").execute_in_process(
        instance=dagster_instance, asset_selection=[dg.AssetKey(a) for a in STRUCTURE])
    assert result.success
    checks = {(e.asset_key.to_user_string(), e.check_name): e for e in result.get_asset_check_evaluations()}
    for asset, permission in (("categories", "Category:read"), ("accounts", "Account:read")):
        evaluation = checks[(asset, "permission")]
        assert (evaluation.passed, evaluation.severity) == (False, dg.AssetCheckSeverity.WARN)
        assert evaluation.metadata["missing_permission"].value == permission
        assert "System > API Tokens" in evaluation.metadata["message"].value
    for asset in ("brands", "collections", "folders"):
        assert checks[(asset, "permission")].passed
    truth = server.truth()
    with connect(url) as wh:
        assert len(wh.read(f"SELECT id FROM {wh.table_ref('categories')}")) == 0
        assert len(wh.read(f"SELECT id FROM {wh.table_ref('accounts')}")) == 0
        assert sorted(wh.read(f"SELECT id FROM {wh.table_ref('brands')}")["id"]) == [b["id"] for b in truth["brands"]]
