"""CFG-1: no policy value is declared and then ignored — every registered key is read somewhere in
the code (outside portal/policy.py, where it is declared, and outside the tests)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SKIP_DIRS = {".venv", "tests", "migrations", "node_modules", "var", "static", "locale", "__pycache__", ".git"}

# Keys declared before the code that reads them has landed. Empty: issue 6's retention and
# credit-control keys are all read now (groupclients/billing/services/retention.py, credit.py). A key added
# here must be removed when its code lands (test_expected_later_keys_are_still_declared fails for a
# listed key that is no longer registered, and test_expected_later_keys_are_really_unused for one
# that is read by now), so the list cannot go stale silently.
EXPECTED_LATER: set[str] = set()


def _code_files() -> list[Path]:
    out = []
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if SKIP_DIRS.intersection(rel.parts) or rel == Path("portal/policy.py"):
            continue
        out.append(rel)
    return out


def _code_text() -> str:
    return "\n".join((ROOT / rel).read_text(encoding="utf-8", errors="replace") for rel in _code_files())


def _used(key: str, text: str) -> bool:
    """The key as a string literal (policy("x.y"), policies("x.y", …), {"k": "x.y"}[…])."""
    return re.search(r"""["']""" + re.escape(key) + r"""["']""", text) is not None


def _registry() -> dict:
    from portal.policy import REGISTRY

    return REGISTRY


def test_every_registered_key_is_used():
    text = _code_text()
    unused = sorted(k for k in _registry() if k not in EXPECTED_LATER and not _used(k, text))
    assert not unused, f"policy keys declared but never read (CFG-1): {unused}"


def test_the_walk_finds_keys_in_code_and_only_there():
    """The check itself: a KPI target is found (it is read in portal/kpi/policies.py); a made-up key is
    not; the declarations in portal/policy.py and the tests are not walked."""
    files = _code_files()
    assert Path("portal/kpi/policies.py") in files and Path("tickets/complaints.py") in files
    assert Path("portal/policy.py") not in files
    assert not any(f.parts[0] == "tests" for f in files)
    text = _code_text()
    assert _used("kpi.target_sla_met_percent", text)
    assert not _used("kpi.no_such_key", text)


def test_expected_later_keys_are_still_declared():
    missing = sorted(EXPECTED_LATER - set(_registry()))
    assert not missing, f"EXPECTED_LATER names keys that are not registered: {missing}"


def test_expected_later_keys_are_really_unused():
    text = _code_text()
    used = sorted(k for k in EXPECTED_LATER if _used(k, text))
    assert not used, f"EXPECTED_LATER names keys that are read by now; take them off the list: {used}"


@pytest.mark.django_db
def test_kpi_targets_are_validated_percentages():
    from django.core.exceptions import ValidationError

    from portal.kpi.policies import TARGET_KEYS
    from portal.policy import policy_set

    for key in TARGET_KEYS.values():
        assert _registry()[key].group.code == "kpi"
        with pytest.raises(ValidationError):
            policy_set(key=key, value=101)
        with pytest.raises(ValidationError):
            policy_set(key=key, value=-1)
