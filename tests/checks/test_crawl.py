"""Issue 12, CHECK "a crawl": every demo role follows every same-site link on `seed_demo` data.

For each demo user: log in through the login form, start at the home page and follow breadth-first
every same-site `<a href>`, `hx-get` and simple GET form action, bounded per URL *shape* (digits
replaced by `{n}`; at most PER_SHAPE URLs per shape and PER_QUERY_SHAPE per set of query keys),
then fetch one URL of every shape again in English. The check fails listing every 5xx (URL, role,
the last line of the traceback gunicorn logged) and every GET that made the database grow (a GET
must be safe: no table may gain rows, sessions/login records and the audit log aside, since an
export or a page view may be audit-logged by design).

Run on its own: `make test PYTEST_ARGS="tests/checks/test_crawl.py -s"` (about 2–3 minutes).
"""
from __future__ import annotations

import re
import time
from collections import deque
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urldefrag, urlencode, urljoin, urlsplit

from .demo_site import DEMO_USERS

PER_SHAPE = 3  # URLs per path shape (ids replaced by a placeholder) and role
PER_QUERY_SHAPE = 2  # URLs per (path shape, set of query keys) and role
MAX_PAGES_PER_ROLE = 600  # a hard stop so a link explosion cannot make the check unbounded
# Never followed: the admin's history/delete confirmations are safe GETs but add only volume;
# logout and the language switch are POST forms anyway (listed to be explicit).
SKIP = re.compile(r"^/(static|media)/|/logout/|/i18n/|^/admin/.*/(delete|history)/|^/admin/jsi18n/"
                  r"|^/api/(schema|docs)/")
# Tables that legitimately grow while browsing: the session and login trail, the audit log
# (exports and reveals are audit-logged on purpose, ORG-4), Celery result rows, and the KPI pages'
# counted figures of an open month (kpi_kpimonth / kpi_kpisnapshot): a read-through cache that the
# dashboard refreshes when older than the policy value kpi.live_refresh_seconds, by design.
GROWS_BY_DESIGN = re.compile(r"^(django_session|axes_.*|portal_auditevent|django_celery_results_.*|"
                             r"django_admin_log|kpi_kpimonth|kpi_kpisnapshot)$")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self._form: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if a.get("hx-get"):
            self.links.append(a["hx-get"])
        if tag == "form" and (a.get("method") or "get").lower() == "get":
            self._form = {"action": a.get("action") or "", "fields": {}}
        if tag in ("input", "select") and self._form is not None and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind in ("submit", "button", "file"):
                return
            self._form["fields"][a["name"]] = a.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            # The form as submitted untouched (its default values): a "simple" GET form.
            q = urlencode([(k, v) for k, v in self._form["fields"].items()])
            self.links.append(self._form["action"] + ("?" + q if q else ""))
            self._form = None


def shape(path: str) -> str:
    return re.sub(r"\d+", "{n}", path)


def _gunicorn_error(log_path, offset: int) -> str:
    """The last line of the traceback gunicorn logged since `offset` (the exception itself)."""
    time.sleep(0.2)
    with open(log_path, encoding="utf-8", errors="replace") as fh:
        fh.seek(offset)
        text = fh.read()
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith((" ", "\t"))]
    lines = [ln for ln in lines if not re.match(r"^\S+ - - \[", ln)]  # access-log lines
    return lines[-1][:300] if lines else "(no traceback logged)"


def _log_size(log_path) -> int:
    with open(log_path, "rb") as fh:
        return fh.seek(0, 2)


def _table_counts(env: dict) -> dict[str, int]:
    """Row counts of every table of the demo site's database (PostgreSQL or SQLite)."""
    url = env["DATABASE_URL"]
    if url.startswith("sqlite"):
        import sqlite3

        with sqlite3.connect(url.split("sqlite:///", 1)[1]) as conn:
            names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
            return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as conn:
        names = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}


def crawl(site, username: str) -> dict:
    s = site.login(username)
    base = urlsplit(site.url)
    seen: set[str] = set()
    per_shape: dict[str, int] = {}
    per_qshape: dict[tuple, int] = {}
    queue: deque[tuple[str, str]] = deque([("/", "(start)")])
    errors, fetched, by_shape = [], 0, {}

    def admit(url: str, came_from: str) -> None:
        url = urldefrag(url)[0]
        parts = urlsplit(urljoin(site.url + came_from, url))
        if parts.scheme not in ("http", "https") or parts.netloc != base.netloc:
            return
        path = parts.path or "/"
        if SKIP.search(path):
            return
        query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
        full = path + ("?" + query if query else "")
        if full in seen:
            return
        sh = shape(path)
        qsh = (sh, tuple(sorted({k for k, _v in parse_qsl(parts.query, keep_blank_values=True)})))
        if query:
            if per_qshape.get(qsh, 0) >= PER_QUERY_SHAPE:
                return
            per_qshape[qsh] = per_qshape.get(qsh, 0) + 1
        else:
            if per_shape.get(sh, 0) >= PER_SHAPE:
                return
            per_shape[sh] = per_shape.get(sh, 0) + 1
        seen.add(full)
        queue.append((full, came_from))

    seen.add("/")
    while queue and fetched < MAX_PAGES_PER_ROLE:
        url, came_from = queue.popleft()
        offset = _log_size(site.log_path)
        r = s.get(site.url + url, timeout=120, allow_redirects=False)
        fetched += 1
        by_shape.setdefault(shape(urlsplit(url).path), url)
        if r.status_code >= 500:
            errors.append(f"{r.status_code} {username:8} GET {url}  (linked from {came_from})\n"
                          f"      {_gunicorn_error(site.log_path, offset)}")
            continue
        if r.is_redirect:
            admit(r.headers.get("Location", ""), url)
            continue
        if "text/html" in r.headers.get("Content-Type", ""):
            p = _Links()
            p.feed(r.text)
            for link in p.links:
                admit(link, url)
    # English: one URL of every shape again (the translations render other strings and formats).
    s.headers["Accept-Language"] = "en"
    s.cookies.set("django_language", "en")
    for url in by_shape.values():
        offset = _log_size(site.log_path)
        r = s.get(site.url + url, timeout=120, allow_redirects=False)
        fetched += 1
        if r.status_code >= 500:
            errors.append(f"{r.status_code} {username:8} GET {url}  [en]\n      {_gunicorn_error(site.log_path, offset)}")
    return {"pages": fetched, "shapes": len(by_shape), "errors": errors, "left": len(queue)}


def test_crawl_every_role_no_server_error(demo_site):
    """Issue 12 CHECK (crawl) and item 1: no page reachable by any demo role answers 5xx, and no GET
    writes rows."""
    started = time.monotonic()
    problems, state_changes, lines = [], [], []
    for username in DEMO_USERS:
        t0 = time.monotonic()
        before = _table_counts(demo_site.env)
        result = crawl(demo_site, username)
        after = _table_counts(demo_site.env)
        grew = {t: after[t] - before.get(t, 0) for t in after
                if after[t] > before.get(t, 0) and not GROWS_BY_DESIGN.match(t)}
        if grew:
            state_changes.append(f"{username}: GETs added rows to {grew}")
        problems += result["errors"]
        lines.append(f"[crawl] {username:8} {result['pages']:4} pages, {result['shapes']:3} shapes, "
                     f"{len(result['errors'])} 5xx, {time.monotonic() - t0:5.1f} s"
                     + (f" (stopped at the page cap, {result['left']} queued)" if result["left"] else ""))
    total = sum(int(ln.split()[2]) for ln in lines)
    print("\n" + "\n".join(lines))
    print(f"[crawl] {total} pages for {len(DEMO_USERS)} roles in {time.monotonic() - started:.0f} s")
    assert not problems and not state_changes, "\n".join(
        [f"{len(problems)} server errors:"] + problems + ["GETs that changed state:"] + state_changes)
