"""Load test: N concurrent demo jobseekers use the portal for a while; any 5xx fails the run.

Written for issue 8 ("50 simulated users for one minute produce 9 server errors" on PostgreSQL:
the landing page re-ranked and wrote suggestions, and two re-rankings of the same person collided
on the suggestion and swipe unique constraints). Every simulated jobseeker is a thread with its own
``requests.Session`` that

1. logs in as a distinct demo jobseeker (``--login demo``, the default: the one-click demo login
   at ``/auth/demo``; the page lists only the first few accounts per role, so further jobseekers
   are found by trying the ids after the listed ones and keeping those whose login lands on the
   jobseeker pages. ``--login password``: the normal login form with ``jobsoeger{n}@demo.
   jobunivers.dk`` and the demo password, which the login form's rate limit of 10 POSTs a minute
   per address makes slow for many users; 429 answers are waited out with ``Retry-After``);
2. then, until ``--seconds`` have passed, picks at random (seeded by ``--seed``) among: the
   landing page ``/jobsoeger/``, the deck ``/jobsoeger/swipe`` followed by an answer to the card
   shown (sometimes as htmx, sometimes the same answer - or two different answers - sent twice at
   once from two threads of the same person, to provoke the races of issue 8), taking back the
   last answer, the "why this suggestion" page, the suggestions status poll, a consent decision
   on the consents page (never an objection) and saving the profile unchanged.

Every response is counted by endpoint and status code, with latency p50/p95/max; a table is
printed at the end, followed by every 5xx (and transport error) with the request that caused it.
Redirects are not followed, so a 303 after a form is counted as such. A request whose connection
breaks (typically a kept-alive connection closed by the server as it was reused) is sent once more
on a new connection, as browsers do, and listed in the notes. Exit status: 0 when no response was
>= 500 and no request failed in transport twice, 1 otherwise, 2 when too few jobseekers could log
in.

The server must run in demo mode (``JOBUNIVERS_ENV_NAME=development``, the default) with the demo
data seeded (``flask demo seed``). Example, against ``make run``'s gunicorn::

    .venv/bin/python scripts/loadtest.py --base-url http://127.0.0.1:5000 --users 50 --seconds 60

Only the standard library and ``requests`` are needed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import random
import re
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

JOBSEEKER_PREFIX = "/jobsoeger"
DEMO_DOMAIN = "demo.jobunivers.dk"
DEMO_PASSWORD = "demo-jobunivers"  # noqa: S105 - the published password of the demo accounts
USER_AGENT = "jobunivers-loadtest/1"

# How often each step is chosen (relative weights).
STEPS = {
    "landing": 25,
    "deck_and_swipe": 40,
    "undo": 4,
    "explanation": 6,
    "status": 8,
    "consent": 8,
    "profile": 6,
    "alternatives": 3,
}
# Share of answers sent twice at once from two threads of the same person.
RACE_SHARE = 0.25
# Share of form posts sent as htmx (the server answers with a fragment instead of a 303).
HTMX_SHARE = 0.5
# Consent decisions the load test makes, with their weights: an opted-out person mostly opts back
# in (the deck is empty meanwhile); never an objection (it opens a data-subject request).
CONSENT_ACTIONS = {"grant": 3, "withdraw": 3, "opt_out": 1, "opt_in": 12}
# Experience dates the demo data stores as "YYYY-MM" and the profile form wants as a year.
MONTH_FIELD = re.compile(r"experience-\d+-(start|end)")
YEAR_MONTH = re.compile(r"\d{4}-\d{2}")


# --- HTML ----------------------------------------------------------------------------------------


@dataclass
class Form:
    """One ``<form>``: its attributes and its successful controls (no submit buttons)."""

    attrs: dict[str, str]
    fields: list[tuple[str, str]] = field(default_factory=list)
    buttons: list[tuple[str, str]] = field(default_factory=list)

    @property
    def action(self) -> str:
        return self.attrs.get("action", "")

    def value(self, name: str) -> str | None:
        return next((v for k, v in self.fields if k == name), None)


class _FormParser(HTMLParser):
    """Collects the forms of a page and the ``csrf-token`` meta tag."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.meta_csrf: str | None = None
        self._form: Form | None = None
        self._textarea: tuple[str, list[str]] | None = None
        self._select: tuple[str, bool, list[tuple[str, bool]]] | None = None
        self._option: tuple[str | None, bool, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: v or "" for k, v in attrs_list}
        if tag == "meta" and attrs.get("name") == "csrf-token":
            self.meta_csrf = attrs.get("content") or None
        elif tag == "form":
            self._form = Form(attrs=attrs)
            self.forms.append(self._form)
        if self._form is None:
            return
        name = attrs.get("name")
        if tag == "input" and name and "disabled" not in attrs:
            kind = attrs.get("type", "text").lower()
            if kind in ("submit", "image", "button", "reset", "file"):
                if kind == "submit":
                    self._form.buttons.append((name, attrs.get("value", "")))
            elif kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self._form.fields.append((name, attrs.get("value", "on")))
            else:
                self._form.fields.append((name, attrs.get("value", "")))
        elif tag == "button" and name:
            if attrs.get("type", "submit").lower() == "submit":
                self._form.buttons.append((name, attrs.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea = (name, [])
        elif tag == "select" and name:
            self._select = (name, "multiple" in attrs, [])
        elif tag == "option" and self._select is not None:
            self._close_option()
            self._option = (attrs.get("value"), "selected" in attrs, [])

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1].append(data)
        if self._option is not None:
            self._option[2].append(data)

    def _close_option(self) -> None:
        if self._option is not None and self._select is not None:
            value, selected, text = self._option
            self._select[2].append(
                (value if value is not None else "".join(text).strip(), selected)
            )
        self._option = None

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea is not None and self._form is not None:
            name, text = self._textarea
            # As a browser: line breaks as LF, and one newline right after <textarea> dropped.
            value = "".join(text).replace("\r\n", "\n").removeprefix("\n")
            self._form.fields.append((name, value))
            self._textarea = None
        elif tag == "option":
            self._close_option()
        elif tag == "select" and self._select is not None and self._form is not None:
            self._close_option()
            name, multiple, options = self._select
            chosen = [v for v, selected in options if selected]
            if not chosen and not multiple and options:
                chosen = [options[0][0]]
            self._form.fields.extend((name, v) for v in chosen)
            self._select = None
        elif tag == "form":
            self._form = None


def parse_page(html: str) -> _FormParser:
    parser = _FormParser()
    parser.feed(html)
    parser.close()
    return parser


# --- Statistics ----------------------------------------------------------------------------------


@dataclass
class Failure:
    """A 5xx or a transport error, with the request that caused it."""

    at: float
    user: str
    method: str
    url: str
    data: dict[str, Any] | None
    status: int | str
    body: str


class Stats:
    """Thread-safe tally of statuses and latencies per endpoint."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.statuses: dict[str, Counter] = defaultdict(Counter)
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.failures: list[Failure] = []
        self.notes: Counter = Counter()
        self.started = time.monotonic()

    def record(self, label: str, status: int | str, seconds: float) -> None:
        with self._lock:
            self.statuses[label][status] += 1
            self.latencies[label].append(seconds)

    def fail(self, failure: Failure) -> None:
        with self._lock:
            self.failures.append(failure)

    def note(self, what: str) -> None:
        with self._lock:
            self.notes[what] += 1


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def summary(stats: Stats, *, phase_seconds: float) -> str:
    codes = sorted({c for counter in stats.statuses.values() for c in counter}, key=str)
    width = max([len(label) for label in stats.statuses] + [len("endpoint")])
    head = f"{'endpoint':<{width}} {'n':>6} " + " ".join(f"{str(c):>5}" for c in codes)
    head += f" {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}"
    lines = [head, "-" * len(head)]
    totals: Counter = Counter()
    every: list[float] = []
    for label in sorted(stats.statuses):
        counter, lat = stats.statuses[label], stats.latencies[label]
        totals.update(counter)
        every.extend(lat)
        lines.append(
            f"{label:<{width}} {sum(counter.values()):>6} "
            + " ".join(f"{counter.get(c, 0) or '':>5}" for c in codes)
            + f" {percentile(lat, 0.5) * 1000:>8.0f} {percentile(lat, 0.95) * 1000:>8.0f}"
            + f" {max(lat) * 1000:>8.0f}"
        )
    lines.append("-" * len(head))
    lines.append(
        f"{'total':<{width}} {sum(totals.values()):>6} "
        + " ".join(f"{totals.get(c, 0) or '':>5}" for c in codes)
        + f" {percentile(every, 0.5) * 1000:>8.0f} {percentile(every, 0.95) * 1000:>8.0f}"
        + f" {max(every, default=0) * 1000:>8.0f}"
    )
    if phase_seconds > 0:
        lines.append(
            f"throughput: {sum(totals.values()) / phase_seconds:.1f} requests/s "
            f"over {phase_seconds:.1f} s"
        )
    if stats.notes:
        lines.append("notes: " + ", ".join(f"{k}={v}" for k, v in sorted(stats.notes.items())))
    return "\n".join(lines)


# --- One simulated jobseeker ---------------------------------------------------------------------


class LoginFailed(Exception):
    pass


class Jobseeker:
    """One person: a session, a CSRF token and the last card seen."""

    def __init__(self, base_url: str, stats: Stats, rng: random.Random, timeout: float) -> None:
        self.base_url = base_url.rstrip("/") + "/"
        self.stats = stats
        self.rng = rng
        self.timeout = timeout
        self.session = self._new_session()
        self.csrf: str | None = None
        self.name = "?"
        self.card: dict[str, str] | None = None

    @staticmethod
    def _new_session() -> requests.Session:
        session = requests.Session()
        session.headers["User-Agent"] = USER_AGENT
        session.headers["Accept-Language"] = "da"
        return session

    def url(self, path: str) -> str:
        return urljoin(self.base_url, path.lstrip("/"))

    # One request, timed and counted; the CSRF token is refreshed from every HTML page.
    def request(
        self,
        method: str,
        path: str,
        label: str,
        *,
        data: dict[str, Any] | list[tuple[str, str]] | None = None,
        htmx: bool = False,
        session: requests.Session | None = None,
    ) -> requests.Response | None:
        headers = {}
        if method == "POST" and self.csrf:
            headers["X-CSRFToken"] = self.csrf
        if htmx:
            headers["HX-Request"] = "true"
        url = self.url(path)
        start = time.monotonic()
        for attempt in range(2):
            try:
                response = (session or self.session).request(
                    method,
                    url,
                    data=data,
                    headers=headers,
                    allow_redirects=False,
                    timeout=self.timeout,
                )
                break
            except requests.ConnectionError as error:
                # Typically a kept-alive connection the server closed just as it was reused
                # (gthread's keep-alive timeout racing the next request; such a request has no
                # access-log line): like a browser, try once more on a new connection. Counted
                # in the notes; a second failure counts as a failure.
                if attempt == 0 and not isinstance(error, requests.ConnectTimeout):
                    self.stats.note(f"retried_after_connection_error[{label}]")
                    continue
                return self._transport_failure(label, method, url, data, error, start)
            except requests.RequestException as error:
                return self._transport_failure(label, method, url, data, error, start)
        elapsed = time.monotonic() - start
        self.stats.record(label, response.status_code, elapsed)
        if response.status_code >= 500:
            self.stats.fail(
                self._failure(method, url, data, response.status_code, response.text[:2000])
            )
        location = response.headers.get("Location", "")
        if response.is_redirect and urlsplit(location).path.startswith("/auth/login"):
            self.stats.note("redirected_to_login")
        if "text/html" in response.headers.get("Content-Type", "") and session is None:
            token = parse_page(response.text).meta_csrf
            if token:
                self.csrf = token
        return response

    def _transport_failure(self, label, method, url, data, error, start) -> None:
        self.stats.record(label, "ERR", time.monotonic() - start)
        self.stats.fail(self._failure(method, url, data, type(error).__name__, str(error)))

    def _failure(self, method, url, data, status, body) -> Failure:
        shown = None
        if data is not None:
            items = data.items() if isinstance(data, dict) else data
            shown = {k: v for k, v in items if k != "csrf_token"}
        return Failure(
            at=time.monotonic() - self.stats.started,
            user=self.name,
            method=method,
            url=url,
            data=shown,
            status=status,
            body=body,
        )

    def with_csrf(self, pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
        pairs = [(k, v) for k, v in pairs if k != "csrf_token"]
        return [("csrf_token", self.csrf or ""), *pairs]

    # --- Logging in ---

    def login_demo(self, user_id: int) -> bool:
        """The one-click demo login; True when it landed on the jobseeker pages."""
        self.session = self._new_session()
        page = self.request("GET", "/auth/demo", "GET /auth/demo")
        if page is None or page.status_code != 200:
            raise LoginFailed(f"/auth/demo answered {getattr(page, 'status_code', 'nothing')}")
        response = self.request(
            "POST",
            "/auth/demo",
            "POST /auth/demo",
            data={"csrf_token": self.csrf or "", "user_id": str(user_id)},
        )
        if response is None or not response.is_redirect:
            return False
        if not urlsplit(response.headers["Location"]).path.startswith(JOBSEEKER_PREFIX):
            return False  # a demo caseworker, employer or admin
        self.name = f"demo user id {user_id}"
        return self.landing() is not None

    def login_password(self, n: int, deadline: float) -> bool:
        """The normal login form as jobsoeger{n}; waits out 429s until ``deadline``."""
        email = f"jobsoeger{n}@{DEMO_DOMAIN}"
        while time.monotonic() < deadline:
            self.session = self._new_session()
            page = self.request("GET", "/auth/login", "GET /auth/login")
            if page is None or page.status_code != 200:
                raise LoginFailed(f"/auth/login answered {getattr(page, 'status_code', 'nothing')}")
            response = self.request(
                "POST",
                "/auth/login",
                "POST /auth/login",
                data={
                    "csrf_token": self.csrf or "",
                    "email": email,
                    "password": DEMO_PASSWORD,
                    "next": "",
                },
            )
            if response is not None and response.status_code == 429:
                wait = float(response.headers.get("Retry-After", "5") or 5)
                time.sleep(min(wait, max(0.0, deadline - time.monotonic())) + self.rng.random())
                continue
            if response is None or not response.is_redirect:
                return False
            if not urlsplit(response.headers["Location"]).path.startswith(JOBSEEKER_PREFIX):
                return False
            self.name = email
            return self.landing() is not None
        return False

    # --- Steps ---

    def landing(self) -> requests.Response | None:
        return self.request("GET", f"{JOBSEEKER_PREFIX}/", "GET /jobsoeger/")

    def deck(self, alternatives: bool = False) -> None:
        path = f"{JOBSEEKER_PREFIX}/swipe" + ("?fane=alternativer" if alternatives else "")
        label = "GET /jobsoeger/swipe" + ("?fane=alternativer" if alternatives else "")
        response = self.request("GET", path, label)
        self.card = None
        if response is None or response.status_code != 200:
            return
        self._read_card(response.text)

    def _read_card(self, html: str) -> None:
        for form in parse_page(html).forms:
            if "swipe-actions" in form.attrs.get("class", "") and form.value("posting_id"):
                self.card = {
                    "posting_id": form.value("posting_id") or "",
                    "kind": form.value("kind") or "match",
                }
                self.stats.note("deck_with_card")
                return
        self.card = None
        status = re.search(r'id="refresh-status"(.*?)</div>', html, flags=re.DOTALL)
        if status is None:
            why = "fragment"
        elif 'class="notice"' in status.group(1):
            why = "opted_out"
        elif "hx-get" in status.group(0):
            why = "ranking_pending"
        else:
            why = "deck_empty"
        self.stats.note(f"deck_without_card_{why}")

    def swipe(self) -> None:
        if self.card is None:
            return
        action = self.rng.choices(("yes", "no", "save"), weights=(4, 4, 2))[0]
        data = {"csrf_token": self.csrf or "", **self.card, "action": action}
        htmx = self.rng.random() < HTMX_SHARE
        if self.rng.random() < RACE_SHARE:
            same = self.rng.random() < 0.5
            other = action if same else ("no" if action == "yes" else "yes")
            self._race(data, {**data, "action": other}, htmx=htmx, same=same)
        else:
            response = self.request(
                "POST", f"{JOBSEEKER_PREFIX}/swipe", "POST /jobsoeger/swipe", data=data, htmx=htmx
            )
            if htmx and response is not None and response.status_code == 200:
                self._read_card(response.text)
                return
        self.card = None

    def _race(self, first: dict, second: dict, *, htmx: bool, same: bool) -> None:
        """Two answers to the same card at the same moment, from two threads of one person."""
        label = "POST /jobsoeger/swipe (race, " + ("same answer)" if same else "yes+no)")
        barrier = threading.Barrier(2)
        twins = []
        for _ in range(2):
            twin = self._new_session()
            twin.cookies.update(self.session.cookies)
            twins.append(twin)

        def send(twin: requests.Session, data: dict) -> None:
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=10)
            self.request(
                "POST",
                f"{JOBSEEKER_PREFIX}/swipe",
                label,
                data=data,
                htmx=htmx,
                session=twin,
            )

        threads = [
            threading.Thread(target=send, args=(twin, data), daemon=True)
            for twin, data in zip(twins, (first, second), strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.stats.note("races")

    def undo(self) -> None:
        self.request(
            "POST",
            f"{JOBSEEKER_PREFIX}/swipe/fortryd",
            "POST /jobsoeger/swipe/fortryd",
            data={"csrf_token": self.csrf or "", "kind": "match"},
            htmx=self.rng.random() < HTMX_SHARE,
        )

    def explanation(self) -> None:
        if self.card is None:
            self.deck()
        if self.card is not None:
            self.request(
                "GET",
                f"{JOBSEEKER_PREFIX}/forslag/{self.card['posting_id']}",
                "GET /jobsoeger/forslag/<id>",
            )

    def status(self) -> None:
        self.request(
            "GET", f"{JOBSEEKER_PREFIX}/forslag/status", "GET /jobsoeger/forslag/status", htmx=True
        )

    def consent(self) -> None:
        response = self.request("GET", f"{JOBSEEKER_PREFIX}/samtykker", "GET /jobsoeger/samtykker")
        if response is None or response.status_code != 200:
            return
        choices = [
            form
            for form in parse_page(response.text).forms
            if form.action.startswith(f"{JOBSEEKER_PREFIX}/samtykker/")
            and (form.value("action") or "") in CONSENT_ACTIONS
        ]
        if not choices:
            return
        weights = [CONSENT_ACTIONS[form.value("action") or ""] for form in choices]
        form = self.rng.choices(choices, weights=weights)[0]
        purpose = form.action.rsplit("/", 1)[-1]
        self.request(
            "POST",
            form.action,
            f"POST /jobsoeger/samtykker/{purpose}",
            data=self.with_csrf(form.fields),
            htmx=self.rng.random() < HTMX_SHARE,
        )

    def profile(self) -> None:
        """Save the profile as shown. When the form refuses its own values (the demo data holds
        "YYYY-MM" where the form asks for a year), save again with the years, as a person would."""
        response = self.request("GET", f"{JOBSEEKER_PREFIX}/profil", "GET /jobsoeger/profil")
        if response is None or response.status_code != 200:
            return
        fields = self._profile_fields(response.text)
        if fields is None:
            return
        htmx = self.rng.random() < HTMX_SHARE
        for attempt in ("as shown", "years only"):
            answer = self.request(
                "POST",
                f"{JOBSEEKER_PREFIX}/profil",
                "POST /jobsoeger/profil",
                data=self.with_csrf(fields),
                htmx=htmx,
            )
            if answer is None or answer.status_code != 200:
                return
            if 'aria-invalid="true"' not in answer.text:
                self.stats.note(f"profile_saved_{attempt.replace(' ', '_')}")
                return
            self.stats.note(f"profile_refused_{attempt.replace(' ', '_')}")
            fields = [
                (k, v[:4] if MONTH_FIELD.fullmatch(k) and YEAR_MONTH.fullmatch(v) else v)
                for k, v in fields
            ]

    @staticmethod
    def _profile_fields(html: str) -> list[tuple[str, str]] | None:
        form = next(
            (f for f in parse_page(html).forms if f.attrs.get("id") == "profile-form"), None
        )
        return form.fields if form is not None else None

    def step(self) -> None:
        name = self.rng.choices(list(STEPS), weights=list(STEPS.values()))[0]
        if name == "landing":
            self.landing()
        elif name == "deck_and_swipe":
            self.deck()
            self.swipe()
        elif name == "alternatives":
            self.deck(alternatives=True)
            self.swipe()
        elif name == "undo":
            self.undo()
        elif name == "explanation":
            self.explanation()
        elif name == "status":
            self.status()
        elif name == "consent":
            self.consent()
        elif name == "profile":
            self.profile()


# --- Running -------------------------------------------------------------------------------------


class DemoIds:
    """Hands out demo user ids to try: the listed jobseekers first, then the ids after them."""

    def __init__(self, listed: list[int], limit: int) -> None:
        self._lock = threading.Lock()
        self._queue = sorted(listed)
        self._next = (max(listed) + 1) if listed else 1
        self._left = limit

    def take(self) -> int | None:
        with self._lock:
            if self._left <= 0:
                return None
            self._left -= 1
            if self._queue:
                return self._queue.pop(0)
            self._next += 1
            return self._next - 1


def listed_demo_jobseekers(base_url: str, timeout: float) -> list[int]:
    """User ids in the jobseeker section of the demo login page."""
    response = requests.get(
        urljoin(base_url.rstrip("/") + "/", "auth/demo"),
        timeout=timeout,
        headers={"User-Agent": USER_AGENT},
    )
    response.raise_for_status()
    section = re.search(
        r'aria-labelledby="demo-jobseeker".*?</section>', response.text, flags=re.DOTALL
    )
    if section is None:
        raise LoginFailed("no jobseeker section on /auth/demo (is demo mode on and seeded?)")
    ids = re.findall(r'name="user_id" value="(\d+)"', section.group(0))
    return [int(i) for i in ids]


def log_in_all(args: argparse.Namespace, stats: Stats) -> list[Jobseeker]:
    people = [
        Jobseeker(args.base_url, stats, random.Random(f"{args.seed}:{i}"), args.timeout)
        for i in range(args.users)
    ]
    deadline = time.monotonic() + args.login_timeout
    if args.login == "demo":
        ids = DemoIds(listed_demo_jobseekers(args.base_url, args.timeout), args.users * 3 + 50)

        def log_in(person: Jobseeker) -> None:
            while time.monotonic() < deadline:
                user_id = ids.take()
                if user_id is None:
                    return
                if person.login_demo(user_id):
                    return
                person.name = "?"

    else:
        numbers = iter(range(1, args.users + 1))
        numbers_lock = threading.Lock()

        def log_in(person: Jobseeker) -> None:
            with numbers_lock:
                n = next(numbers)
            if not person.login_password(n, deadline):
                person.name = "?"

    threads = [threading.Thread(target=log_in, args=(p,), daemon=True) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [p for p in people if p.name != "?"]


def run(args: argparse.Namespace) -> int:
    stats = Stats()
    started = time.monotonic()
    try:
        people = log_in_all(args, stats)
    except (LoginFailed, requests.RequestException) as error:
        print(f"login failed: {error}", file=sys.stderr)
        return 2
    login_seconds = time.monotonic() - started
    print(
        f"{len(people)} of {args.users} jobseekers logged in ({args.login}) "
        f"in {login_seconds:.1f} s",
        flush=True,
    )
    if len(people) < args.users:
        print("too few distinct demo jobseekers could log in", file=sys.stderr)
        return 2

    stop_at = time.monotonic() + args.seconds
    load_started = time.monotonic()

    def work(person: Jobseeker) -> None:
        while time.monotonic() < stop_at:
            try:
                person.step()
            except Exception as error:  # noqa: BLE001 - a broken page must not end the thread
                stats.note(f"client_error:{type(error).__name__}")
            if args.think > 0:
                time.sleep(person.rng.uniform(0, args.think))

    threads = [threading.Thread(target=work, args=(p,), daemon=True) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    load_seconds = time.monotonic() - load_started

    print()
    print(
        f"{args.users} users, {args.seconds} s, seed {args.seed}, think time 0-{args.think} s, "
        f"{args.base_url}"
    )
    print(summary(stats, phase_seconds=load_seconds))
    failures = sorted(stats.failures, key=lambda f: f.at)
    if failures:
        print(f"\n{len(failures)} failed request(s):")
        for f in failures:
            print(f"\n[{f.at:7.2f} s] {f.user}: {f.method} {f.url} -> {f.status}")
            if f.data:
                print(f"  form: {json.dumps(f.data, ensure_ascii=False)[:500]}")
            print("  body: " + re.sub(r"\s+", " ", f.body)[:400])
    if args.report:
        with open(args.report, "w", encoding="utf-8") as out:
            json.dump(
                {
                    "users": args.users,
                    "seconds": args.seconds,
                    "seed": args.seed,
                    "statuses": {
                        k: {str(c): n for c, n in v.items()} for k, v in stats.statuses.items()
                    },
                    "p50_ms": {k: percentile(v, 0.5) * 1000 for k, v in stats.latencies.items()},
                    "p95_ms": {k: percentile(v, 0.95) * 1000 for k, v in stats.latencies.items()},
                    "notes": dict(stats.notes),
                    "failures": [f.__dict__ for f in failures],
                },
                out,
                indent=2,
                ensure_ascii=False,
            )
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--base-url", default="http://127.0.0.1:5000", help="portal address")
    parser.add_argument("--users", type=int, default=50, help="concurrent jobseekers (50)")
    parser.add_argument("--seconds", type=float, default=60, help="length of the run (60)")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the users' choices")
    parser.add_argument(
        "--login",
        choices=("demo", "password"),
        default="demo",
        help="one-click demo login (default) or the password login form",
    )
    parser.add_argument(
        "--think", type=float, default=0.5, help="pause 0..THINK s between steps (0.5)"
    )
    parser.add_argument("--timeout", type=float, default=60, help="per-request timeout (60 s)")
    parser.add_argument(
        "--login-timeout", type=float, default=600, help="give up logging in after this (600 s)"
    )
    parser.add_argument("--report", help="also write the figures and failures to this JSON file")
    args = parser.parse_args(argv)
    if args.users < 1 or args.seconds <= 0:
        parser.error("--users and --seconds must be positive")
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
