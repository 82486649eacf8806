"""deploy/: the nginx site passes `nginx -t` and, run for real in front of the app, serves
static files itself, proxies the rest over TLS and sends plain HTTP to HTTPS; every systemd
unit runs a command this app has; the example environment names only documented settings."""

from __future__ import annotations

import configparser
import shlex
import ssl
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from freshcircle.platform import create_app
from freshcircle.platform.wsgi import production_app
from tests.platform.live_server import serving
from tools import nginx_local

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
NGINX = nginx_local.NGINX


@pytest.mark.no_db_isolation
@pytest.mark.database_independent
@pytest.mark.skipif(not Path(NGINX).exists(), reason="needs nginx (make system-deps)")
def test_the_nginx_site_serves_static_files_and_proxies_the_app_over_tls(tmp_path):
    app = create_app({"SECRET_KEY": "deploy-test", "PROXY_COUNT": 1,
                      "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "d.db")})
    with serving(app) as port:
        conf, http, https = nginx_local.local_site(tmp_path, [port])
        checked = nginx_local.check(conf)
        assert checked.returncode == 0, checked.stderr
        with nginx_local.running(conf, https):
            tls = ssl.create_default_context(cafile=str(tmp_path / "cert.pem"))
            tls.check_hostname = False
            base = f"https://127.0.0.1:{https}"
            deadline = time.monotonic() + 10
            while True:
                try:
                    health = urllib.request.urlopen(base + "/healthz", context=tls, timeout=5)
                    break
                except (urllib.error.URLError, ConnectionError):
                    assert time.monotonic() < deadline, "nginx did not start"
                    time.sleep(0.1)
            health.close()
            assert health.status == 200  # proxied to the app

            css = urllib.request.urlopen(urllib.request.Request(
                base + "/static/app.css?v=1", headers={"Accept-Encoding": "gzip"}),
                context=tls, timeout=5)
            assert css.status == 200
            assert "immutable" in css.headers["Cache-Control"]
            assert css.headers["Content-Encoding"] == "gzip"
            assert "Content-Security-Policy" not in css.headers  # nginx's, not the app's
            css.close()

            class NoRedirect(urllib.request.HTTPRedirectHandler):
                def redirect_request(self, *args):
                    return None

            with pytest.raises(urllib.error.HTTPError) as moved:
                urllib.request.build_opener(NoRedirect).open(
                    f"http://127.0.0.1:{http}/login", timeout=5)
            moved.value.close()
            assert moved.value.code == 301
            assert moved.value.headers["Location"].startswith("https://")


def _units() -> dict[str, configparser.ConfigParser]:
    units = {}
    for path in sorted((DEPLOY / "systemd").iterdir()):
        parser = configparser.ConfigParser(strict=False, interpolation=None,
                                           empty_lines_in_values=False)
        parser.optionxform = str
        parser.read(path)
        units[path.name] = parser
    return units


def _exec_lines(path: Path) -> list[list[str]]:
    return [shlex.split(line.split("=", 1)[1]) for line in path.read_text().splitlines()
            if line.startswith(("ExecStart=", "ExecStartPre="))]


def test_every_unit_runs_a_command_this_app_has(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 64)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    commands = set(production_app().cli.list_commands(None)) | {"db"}
    units = _units()
    assert {"freshcircle-web.service", "freshcircle-scan-writer.service",
            "freshcircle-worker.service"} <= set(units)
    for name, unit in units.items():
        if name.endswith(".timer"):
            assert unit["Timer"]["OnCalendar"] and name.replace(".timer", ".service") in units
            continue
        service = unit["Service"]
        assert service["EnvironmentFile"] == "/etc/freshcircle/env", name
        assert service["User"] == "freshcircle", name
        for argv in _exec_lines(DEPLOY / "systemd" / name):
            program = argv[0].rsplit("/", 1)[-1]
            if program == "flask":
                assert argv[1:3] == ["--app", "freshcircle.platform.wsgi:production_app"]
                assert argv[3] in commands, f"{name}: flask {argv[3]} does not exist"
            else:
                assert program == "gunicorn", name
                assert "python:freshcircle.platform.gunicorn_conf" in argv
                assert argv[-1] == "freshcircle.platform.wsgi:production_app()"


def test_the_example_environment_names_only_documented_settings():
    readme = (ROOT / "README.md").read_text()
    for line in (DEPLOY / "freshcircle.env.example").read_text().splitlines():
        if line and not line.startswith("#"):
            name = line.split("=", 1)[0]
            assert f"`{name}`" in readme, f"{name} is not in README's configuration table"
