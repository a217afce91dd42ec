"""Issue 12, CHECK "generated client" (item 14): a Python client generated from the schema works.

openapi-python-client (the newest release, a test extra) generates `portal_api_client` from the
`/api/schema/` of a portal on `seed_demo` data (its own site: the script writes a visit and a
ticket, which the shared `demo_site` must not get). Every generated module must import; then the
integrator's script `integrator_script.py` runs unchanged through it as am1: a token, every page of
groups, a visit, a ticket naming its product by code, alerts, credit orders and KPI figures, each
parsed into the client's models. Run on its own:
`make test PYTEST_ARGS="tests/checks/test_generated_client.py -s"`.
"""
from __future__ import annotations

import importlib
import json
import os
import pkgutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from . import demo_site as ds

HERE = Path(__file__).resolve().parent
PACKAGE = "portal_api_client"


@pytest.fixture(scope="module")
def client_site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("client-site")
    site = ds.start(ds.seed("client", tmp), tmp)
    yield site
    ds.stop(site)


def _generate(site, tmp: Path) -> Path:
    schema = requests.get(f"{site.url}/api/schema/", params={"format": "json"}, timeout=120)
    schema.raise_for_status()
    (tmp / "schema.json").write_bytes(schema.content)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    out = tmp / PACKAGE
    proc = subprocess.run(
        [str(Path(sys.executable).with_name("openapi-python-client")), "generate", "--path", "schema.json",
         "--meta", "none", "--output-path", str(out), "--overwrite"],
        cwd=tmp, env=env, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    # A warning means parts of the schema could not be turned into code (operations left out)
    assert "Warning" not in proc.stdout + proc.stderr, proc.stdout[-4000:] + proc.stderr[-4000:]
    return out


def test_a_generated_client_imports_and_runs_an_integrators_script(client_site, tmp_path):
    """issue 12 CHECK generated client (item 14): every operation imports; the script runs unchanged."""
    started = time.monotonic()
    _generate(client_site, tmp_path)
    sys.path.insert(0, str(tmp_path))
    try:
        failed, operations = [], 0
        api_pkg = importlib.import_module(f"{PACKAGE}.api.v1")
        for info in pkgutil.iter_modules(api_pkg.__path__):
            try:
                module = importlib.import_module(f"{PACKAGE}.api.v1.{info.name}")
                assert callable(module.sync)
                operations += 1
            except Exception as e:  # noqa: BLE001 - collected and reported below
                failed.append(f"{info.name}: {type(e).__name__}: {e}")
        models = importlib.import_module(f"{PACKAGE}.models")
    finally:
        sys.path.remove(str(tmp_path))
    schema = json.loads((tmp_path / "schema.json").read_text())
    in_schema = sum(len([m for m in ops if m in ("get", "post", "put", "patch", "delete")])
                    for ops in schema["paths"].values())
    print(f"\n[generated-client] {operations} of {in_schema} operations import, {len(models.__all__)} models")
    assert not failed, failed
    assert operations == in_schema

    env = {**os.environ, "PYTHONPATH": str(tmp_path), "PORTAL_URL": client_site.url, "PORTAL_USER": "am1",
           "PORTAL_PASSWORD": ds.DEMO_PASSWORD}
    proc = subprocess.run([sys.executable, str(HERE / "integrator_script.py")], env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    done = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"[generated-client] integrator script as am1: {done} in {time.monotonic() - started:.0f} s")
    assert done["groups"] > 0 and done["visit"] and done["ticket"]
