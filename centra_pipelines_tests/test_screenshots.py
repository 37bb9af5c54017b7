"""The README's pictures are made by docs/screenshots.py driving a real browser against the UI after a
sync; here its `capture` runs against the test UI, and fails if a page shows an error."""

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "docs" / "screenshots.py"


def _script():
    spec = importlib.util.spec_from_file_location("screenshots", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.browser
def test_screenshots_of_the_asset_graph_and_a_failed_check(ui_server, tmp_path):
    screenshots = _script()
    if not Path(screenshots.CHROMIUM).exists():
        pytest.fail(f"{screenshots.CHROMIUM} is missing: `apt-get install chromium` (bash .ci/run does it)")
    saved = screenshots.capture(ui_server.url, tmp_path)
    assert [p.name for p in saved] == ["asset-graph.png", "failed-check.png"]
    for path in saved:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 20_000, path
