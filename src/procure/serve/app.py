"""The web application (Starlette): one page, a few JSON answers, the script and the style.

Every request is checked before it is read: its Host must be one this server answers to (a
page on another site cannot reach it by a DNS name pointed at 127.0.0.1), and a request that
changes anything (every POST) must come from this page: same Origin as the Host, the session's
cookie, and the session's CSRF token in a header. Bodies are bounded; form values are read by
`procure.serve.fields` (the scenario's own validation) and never name a file or a template."""

from __future__ import annotations

import hmac
import re
import secrets
import socket
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from procure.advice.assess import assess
from procure.errors import InputError, Problem
from procure.inputs.load import Inputs
from procure.inputs.yamlio import dump_yaml, read_yaml
from procure.serve import fields, page
from procure.serve.compute import View, labels
from procure.serve.worker import Answers, Runner, Setup, warm_up

MAX_BODY = 64 * 1024  # bytes in one request body: the form is a few hundred
MAX_FIELDS = 400  # name=value pairs in one form
MAX_SESSIONS = 8  # open pages; the oldest is closed (its worker ended) past this
WAIT = 0.9  # seconds a change waits for its answer before the page shows progress
BRIEF_WAIT = 300.0  # seconds a brief may take (its analysis has a 60 s budget)
SESSION_COOKIE = "procure_session"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
)
LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass
class Session:
    sid: str
    csrf: str
    runner: Runner
    changed: tuple[str, ...] = ()
    form: dict[str, list[str]] | None = None


class Refused(Exception):
    """A request refused: its HTTP status and the message's key in serve/strings.yaml."""

    def __init__(self, status: int, key: str, **args: object) -> None:
        super().__init__(key)
        self.status = status
        self.key = key
        self.args_ = args

    def text(self, lang: str) -> str:
        return labels(lang)[self.key].format(**self.args_)


class WhatIf:
    """The server's state: the scenario as written, its first answer, and the sessions."""

    def __init__(self, inputs: Inputs, setup: Setup, host: str, port: int) -> None:
        self.inputs = inputs
        self.setup = setup
        self.lang = setup.lang
        self.base = read_yaml(setup.path).data  # the scenario as written, as plain data
        weights = assess(inputs.scenario, inputs.vendors).weights.weights
        self.start = fields.initial(inputs, weights)
        # the answer for the scenario as written, once a page has it (the server starts at
        # once, whatever the scenario's size: the page's first request solves it)
        self.base_view: View | None = None
        self.vendor_names = {
            v.id: (v.name_zh or v.name) if self.lang == "zh" else v.name for v in inputs.vendors
        }
        self.sessions: OrderedDict[str, Session] = OrderedDict()
        self.hosts = allowed_hosts(host, port)

    # -- sessions --

    def session(self, request: Request) -> Session | None:
        sid = request.cookies.get(SESSION_COOKIE, "")
        found = self.sessions.get(sid)
        if found is not None:  # the least recently used page is the first closed
            self.sessions.move_to_end(sid)
        return found

    def new_session(self) -> Session:
        while len(self.sessions) >= MAX_SESSIONS:
            _, old = self.sessions.popitem(last=False)
            old.runner.close()
        s = Session(secrets.token_urlsafe(32), secrets.token_urlsafe(32), Runner(self.setup))
        self.sessions[s.sid] = s
        return s

    def close(self) -> None:
        for s in self.sessions.values():
            s.runner.close()
        self.sessions.clear()

    # -- checks --

    def check_host(self, request: Request) -> None:
        host = request.headers.get("host", "").lower()
        if self.hosts is not None and host not in self.hosts:
            raise Refused(421, "refused_host")

    def check_post(self, request: Request) -> Session:
        """A state-changing request: same origin, a known session and its CSRF token."""
        self.check_host(request)
        origin = request.headers.get("origin")
        host = request.headers.get("host", "").lower()
        if (
            origin is None
            or urlsplit(origin).netloc.lower() != host
            or not origin.startswith("http://")
        ):
            raise Refused(403, "refused_origin")
        session = self.session(request)
        if session is None:
            raise Refused(403, "refused_session")
        token = request.headers.get("x-csrf-token", "")
        if not hmac.compare_digest(token.encode(), session.csrf.encode()):
            raise Refused(403, "refused_token")
        return session


def allowed_hosts(host: str, port: int) -> set[str] | None:
    """The Host headers this server answers to; None for a wildcard bind (any address of the
    machine), where the same-origin and token checks still hold."""
    if host in ("0.0.0.0", "::", ""):
        return None
    names = set(LOOPBACK) if host in LOOPBACK or host.startswith("127.") else {host}
    out = set()
    for name in names | {host}:
        shown = f"[{name}]" if ":" in name else name
        out.add(f"{shown}:{port}".lower())
    return out


async def read_body(request: Request) -> bytes:
    """The body, refused past MAX_BODY bytes whatever Content-Length says."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY):
        raise Refused(413, "refused_body", limit=MAX_BODY)
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise Refused(413, "refused_body", limit=MAX_BODY)
    return body


async def read_form(request: Request) -> dict[str, list[str]]:
    body = await read_body(request)
    try:
        pairs = parse_qsl(
            body.decode("utf-8"),
            keep_blank_values=True,
            strict_parsing=False,
            max_num_fields=MAX_FIELDS,
        )
    except (UnicodeDecodeError, ValueError):
        raise Refused(400, "refused_form") from None
    form: dict[str, list[str]] = {}
    for k, v in pairs:
        if k in fields.BY_NAME:
            form.setdefault(k, []).append(v)
    return form


def safe_stem(path: Path) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", path.stem).strip("-.") or "scenario"
    return stem[:60]


def create_app(whatif: WhatIf) -> Starlette:
    static = files("procure.serve") / "static"
    assets = {
        "app.js": ((static / "app.js").read_bytes(), "text/javascript; charset=utf-8"),
        "app.css": ((static / "app.css").read_bytes(), "text/css; charset=utf-8"),
    }
    w = whatif
    lang = w.lang

    def headers(extra: dict[str, str] | None = None) -> dict[str, str]:
        out = {
            "Content-Security-Policy": CSP,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "Cache-Control": "no-store",
        }
        out.update(extra or {})
        return out

    def refused(exc: Refused) -> Response:
        return JSONResponse(
            {"error": exc.text(lang), "reason": exc.key}, status_code=exc.status, headers=headers()
        )

    async def index(request: Request) -> Response:
        try:
            w.check_host(request)
            # another site may not open sessions here (each one is a worker process): a
            # browser says where a request comes from
            if request.headers.get("sec-fetch-site", "none") not in ("none", "same-origin"):
                raise Refused(403, "refused_site")
        except Refused as exc:
            return refused(exc)
        session = w.session(request) or w.new_session()
        excluded = set(w.start["exclude"])
        render = partial(
            page.render,
            "page",
            lang,
            csrf=session.csrf,
            name=w.inputs.scenario.name,
            file=w.setup.path.name,
            start=w.start,
            criteria=["security", "flexibility", "scalability", "cost"],
            vendors=[
                {"id": v.id, "name": w.vendor_names[v.id], "excluded": v.id in excluded}
                for v in w.inputs.vendors
            ],
            view=w.base_view,
            marks=page.marks(w.base_view, None) if w.base_view is not None else {},
        )
        html = await anyio.to_thread.run_sync(render)  # a large scenario's tables take time
        response = Response(html, media_type="text/html; charset=utf-8", headers=headers())
        response.set_cookie(SESSION_COOKIE, session.sid, httponly=True, samesite="strict", path="/")
        return response

    async def asset(request: Request) -> Response:
        try:
            w.check_host(request)
        except Refused as exc:
            return refused(exc)
        body, kind = assets[request.path_params["name"]]
        return Response(body, media_type=kind, headers=headers())

    def answer(session: Session, gen: int, a: Answers, has_view: bool = False) -> dict[str, Any]:
        """What the page shows for job `gen`, from the answers so far (`has_view`: the page
        shows that job's award already: it is not sent again). Rendering a large scenario's
        tables takes time: call it in a thread, off the request loop."""
        out: dict[str, Any] = {"gen": gen, "errors": {}, "general": []}
        t = labels(lang)
        if a.submitted > gen:
            out["state"] = "superseded"
            return out
        if a.problems is not None and a.problems[0] == gen:
            problems = dict(a.problems[1])
            out["general"] = problems.pop(fields.GENERAL, [])
            if problems:
                out["general"].insert(0, t["fix_fields"])
            out["errors"] = problems
            out["state"] = "problems"
            return out
        if a.error is not None and a.error[0] == gen:
            out["state"] = "error"
            out["general"] = [a.error[1]]
            return out
        viewed = a.view is not None and a.view[0] == gen
        if a.view is not None and viewed and not session.changed and w.base_view is None:
            w.base_view = a.view[1]  # the scenario as written: what the page compares with
        if a.view is not None and viewed and not has_view:
            out["results"] = page.render(
                "results", lang, view=a.view[1], marks=page.marks(a.view[1], w.base_view)
            )
            out["changes"] = page.render(
                "changes",
                lang,
                changes=page.changes(
                    session.changed, session.form or {}, w.start, w.vendor_names, lang
                ),
            )
        if a.robustness is not None and a.robustness[0] == gen:
            out["robustness"] = page.render("robustness", lang, r=a.robustness[1])
            out["state"] = "done"
        elif a.cancelled >= gen:
            out["state"] = "cancelled"
            out["status"] = t["cancelled"]
        else:
            out["state"] = "solving"
            seconds = time.monotonic() - a.started if a.running == gen else 0.0
            out["status"] = t["solving"].format(seconds=f"{seconds:.1f}")
            if viewed:
                out["status"] = t["robustness_wait"]
        return out

    async def change(request: Request) -> Response:
        try:
            session = w.check_post(request)
            form = await read_form(request)
        except Refused as exc:
            return refused(exc)
        edited = fields.read_form(form, w.base, w.start, lang)
        session.changed, session.form = edited.changed, form
        if edited.problems:
            session.runner.cancel()
            return JSONResponse(
                {"gen": -1, "state": "problems", "errors": edited.problems, "general": []},
                headers=headers(),
            )
        gen = session.runner.submit("solve", edited.data)
        a = await anyio.to_thread.run_sync(session.runner.wait, gen, ("view",), WAIT)
        shown = await anyio.to_thread.run_sync(answer, session, gen, a)
        return JSONResponse(shown, headers=headers())

    async def status(request: Request) -> Response:
        try:
            w.check_host(request)
        except Refused as exc:
            return refused(exc)
        session = w.session(request)
        gen_text = request.query_params.get("gen", "")
        if session is None or not gen_text.isdigit() or len(gen_text) > 12:
            return refused(Refused(400, "refused_job"))
        gen = int(gen_text)
        # the page asks for what it lacks: the view first, then the robustness margin
        has_view = request.query_params.get("have") == "view"
        kinds = ("robustness",) if has_view else ("view",)
        a = await anyio.to_thread.run_sync(session.runner.wait, gen, kinds, 0.5)
        shown = await anyio.to_thread.run_sync(answer, session, gen, a, has_view)
        return JSONResponse(shown, headers=headers())

    async def cancel(request: Request) -> Response:
        try:
            session = w.check_post(request)
            await read_body(request)
        except Refused as exc:
            return refused(exc)
        session.runner.cancel()
        return JSONResponse({"state": "cancelled"}, headers=headers())

    async def save(request: Request) -> Response:
        """The edited scenario as YAML, a download: nothing is written on the server."""
        try:
            w.check_post(request)
            form = await read_form(request)
        except Refused as exc:
            return refused(exc)
        edited = fields.read_form(form, w.base, w.start, lang)
        if edited.problems:
            return JSONResponse(
                {"state": "problems", "errors": edited.problems, "general": []},
                status_code=422,
                headers=headers(),
            )
        inputs, problems = await anyio.to_thread.run_sync(
            fields.validate, edited.data, w.setup.path, w.setup.data_dir, lang
        )
        if inputs is None:
            general = problems.pop(fields.GENERAL, [])
            return JSONResponse(
                {"state": "problems", "errors": problems, "general": general},
                status_code=422,
                headers=headers(),
            )
        stem = safe_stem(w.setup.path)
        note = ", ".join(edited.changed) or "nothing"
        text = f"# A what-if of {stem} saved by procure serve; changed: {note}\n" + dump_yaml(
            edited.data
        )
        return Response(
            text.encode("utf-8"),
            media_type="application/x-yaml",
            headers=headers({"Content-Disposition": f'attachment; filename="{stem}-whatif.yaml"'}),
        )

    async def brief(request: Request) -> Response:
        """The brief of the current state, as a PDF download (rendered by the worker)."""
        try:
            session = w.check_post(request)
            form = await read_form(request)
        except Refused as exc:
            return refused(exc)
        edited = fields.read_form(form, w.base, w.start, lang)
        if edited.problems:
            return JSONResponse(
                {"state": "problems", "errors": edited.problems, "general": []},
                status_code=422,
                headers=headers(),
            )
        gen = session.runner.submit("brief", edited.data)
        a = await anyio.to_thread.run_sync(session.runner.wait, gen, ("pdf",), BRIEF_WAIT)
        if a.pdf is not None and a.pdf[0] == gen:
            return Response(
                a.pdf[1],
                media_type="application/pdf",
                headers=headers(
                    {
                        "Content-Disposition": "attachment; "
                        f'filename="{safe_stem(w.setup.path)}-whatif.pdf"'
                    }
                ),
            )
        out = await anyio.to_thread.run_sync(answer, session, gen, a)
        return JSONResponse(
            out, status_code=422 if out["state"] == "problems" else 409, headers=headers()
        )

    async def not_found(request: Request, exc: Exception) -> Response:
        return JSONResponse(
            {"error": labels(lang)["not_found"]}, status_code=404, headers=headers()
        )

    async def on_error(request: Request, exc: Exception) -> Response:
        return JSONResponse(
            {"error": labels(lang)["unexpected"].format(name=type(exc).__name__)},
            status_code=500,
            headers=headers(),
        )

    routes = [
        Route("/", index, methods=["GET"]),
        Route("/static/{name:str}", asset_route(asset, assets), methods=["GET"]),
        Route("/change", change, methods=["POST"]),
        Route("/status", status, methods=["GET"]),
        Route("/cancel", cancel, methods=["POST"]),
        Route("/save", save, methods=["POST"]),
        Route("/brief", brief, methods=["POST"]),
        Route("/favicon.ico", lambda request: Response(status_code=204), methods=["GET"]),
    ]

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        w.close()  # every session's worker process ends with the server

    return Starlette(
        routes=routes,
        exception_handlers={404: not_found, 500: on_error},
        lifespan=lifespan,
        max_body_size=MAX_BODY,
    )


def asset_route(handler: Any, assets: dict[str, Any]) -> Any:
    """Only the package's own files, by exact name: no path from the request reaches a file."""

    async def route(request: Request) -> Response:
        if request.path_params["name"] not in assets:
            return JSONResponse({"error": "not found", "reason": "not_found"}, status_code=404)
        result: Response = await handler(request)
        return result

    return route


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on `host`:`port` (0: a free port the system picks), or a clear
    error: the server never falls back to another address."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise InputError(
            [
                Problem(
                    "--host",
                    f"cannot resolve '{host}': {exc.strerror}",
                    field="--host",
                    zh=f"无法解析主机“{host}”：{exc.strerror}",
                )
            ]
        ) from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(64)
    except OSError as exc:
        sock.close()
        raise InputError(
            [
                Problem(
                    "--port",
                    f"cannot listen on {host}:{port}: {exc.strerror}",
                    field="--port",
                    zh=f"无法在 {host}:{port} 上监听：{exc.strerror}",
                )
            ]
        ) from None
    return sock


def url_of(sock: socket.socket, host: str) -> str:
    port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def serve(
    inputs: Inputs, setup: Setup, host: str, port: int, announce: Callable[[str], None]
) -> None:
    """Serve the page until interrupted; `announce` receives the page's address once the
    socket listens (and before the first request can arrive)."""
    import uvicorn

    sock = listen(host, port)
    whatif = WhatIf(inputs, setup, host, sock.getsockname()[1])
    warm_up()
    config = uvicorn.Config(
        create_app(whatif),
        log_level="warning",
        access_log=False,
        lifespan="on",
        limit_concurrency=64,
        timeout_keep_alive=5,
        h11_max_incomplete_event_size=16 * 1024,
        server_header=False,
    )
    announce(url_of(sock, host))
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        whatif.close()
        sock.close()
