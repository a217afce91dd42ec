"""The system packages `make test` needs, and what to do when they are missing (issue 12 item 5).

The browser tests need Chromium and a CJK font (fonts-wqy-zenhei); the SMS-loop tests need Kannel
(bearerbox, smsbox) and fakesmsc from kannel-extras. `make test` runs this file first:

- nothing missing → nothing to do;
- missing, on Debian/Ubuntu, as root, with apt-get → `apt-get install` them (then stop the Debian
  kannel service, whose boxes would take the ports the tests use);
- otherwise (not root, another system, `PORTAL_NO_APT=1`, or apt-get failed) → print ONE line
  saying how to install them; the tests that need them skip with that same line (pytest's summary
  groups them into one). Never an error: this script always exits 0.

In CI (`PORTAL_NO_SKIP=1`) tests/conftest.py turns any skip into a failure, so nothing is skipped.
Only the standard library is used: it runs before (and without) the virtualenv.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")

# package → files that show it is installed (paths overridable as the tests' harnesses allow)
REQUIREMENTS: dict[str, tuple[str, ...]] = {
    "chromium": (CHROMIUM,),
    "fonts-wqy-zenhei": ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",),
    "kannel": (os.environ.get("KANNEL_BEARERBOX", "/usr/sbin/bearerbox"),
               os.environ.get("KANNEL_SMSBOX", "/usr/sbin/smsbox")),
    "kannel-extras": (os.environ.get("KANNEL_FAKESMSC", "/usr/lib/kannel/test/fakesmsc"),),
}
BROWSER = ("chromium", "fonts-wqy-zenhei")
KANNEL = ("kannel", "kannel-extras")


def missing_packages(packages=tuple(REQUIREMENTS), exists: Callable[[str], bool] = os.path.exists) -> list[str]:
    return [p for p in packages if not all(exists(path) for path in REQUIREMENTS[p])]


def read_os_release(path: str = "/etc/os-release") -> dict[str, str]:
    try:
        with open(path, encoding="utf-8") as fh:
            lines = fh.read().splitlines()
    except OSError:
        return {}
    out = {}
    for line in lines:
        if "=" in line and not line.startswith("#"):
            k, v = line.split("=", 1)
            out[k.strip()] = v.strip().strip('"')
    return out


def is_debian_like(os_release: Mapping[str, str]) -> bool:
    ids = {os_release.get("ID", "").lower(), *os_release.get("ID_LIKE", "").lower().split()}
    return bool(ids & {"debian", "ubuntu"})


def install_line(missing: list[str]) -> str:
    """The one line the user reads: what is missing and the command that installs it."""
    pkgs = " ".join(missing)
    return (f"system packages missing: {pkgs} — their browser/Kannel tests are skipped; install them with "
            f"`sudo apt-get install -y {pkgs}` (Debian/Ubuntu; `make test` does it itself when run as root)")


@dataclass(frozen=True)
class Decision:
    action: str  # "none" | "install" | "skip"
    packages: tuple[str, ...] = ()
    message: str = ""


def decide(missing: list[str], *, os_release: Mapping[str, str], euid: int, apt_get: str | None,
           no_apt: bool = False) -> Decision:
    """What `make test` does about missing system packages (pure: every input is an argument)."""
    if not missing:
        return Decision("none")
    if not no_apt and euid == 0 and apt_get and is_debian_like(os_release):
        return Decision("install", tuple(missing), f"make test: installing {' '.join(missing)} with apt-get")
    return Decision("skip", tuple(missing), "make test: " + install_line(missing))


def apt_install(packages: tuple[str, ...], run: Callable[..., subprocess.CompletedProcess] = subprocess.run) -> bool:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.STDOUT, "env": env, "check": False}
    cmd = ["apt-get", "install", "-y", "-q", "--no-install-recommends", *packages]
    if run(cmd, **quiet).returncode != 0:  # stale package lists on a fresh machine: update, retry
        run(["apt-get", "update", "-q"], **quiet)
        if run(cmd, **quiet).returncode != 0:
            return False
    if "kannel" in packages and os.path.exists("/etc/init.d/kannel"):
        # The Debian service would hold ports 13000/13001/13013; the tests start their own boxes.
        run(["/etc/init.d/kannel", "stop"], **quiet)
    return True


def main(*, exists: Callable[[str], bool] = os.path.exists, os_release: Mapping[str, str] | None = None,
         euid: int | None = None, apt_get: str | None = None, run=subprocess.run, out=sys.stdout) -> int:
    missing = missing_packages(exists=exists)
    d = decide(missing, os_release=read_os_release() if os_release is None else os_release,
               euid=os.geteuid() if euid is None else euid,
               apt_get=shutil.which("apt-get") if apt_get is None else apt_get,
               no_apt=os.environ.get("PORTAL_NO_APT") == "1")
    if d.action == "install":
        print(d.message, file=out, flush=True)
        if not apt_install(d.packages, run=run) or missing_packages(exists=exists):
            print("make test: apt-get could not install them; " + install_line(missing_packages(exists=exists)),
                  file=out)
    elif d.action == "skip":
        print(d.message, file=out)
    return 0  # never an error: the tests that need a missing package skip (fail in CI)


if __name__ == "__main__":
    sys.exit(main())
