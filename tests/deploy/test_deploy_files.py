"""deploy/: the nginx site passes `nginx -t` and, run for real in front of the app, serves
static files itself, proxies the rest over TLS and sends plain HTTP to HTTPS; every systemd
unit runs a command this app has; the example environment names only documented settings."""

from __future__ import annotations

import configparser
import re
import shlex
import shutil
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from freshcircle.platform import create_app
from freshcircle.platform.wsgi import production_app
from tests.platform.live_server import serving
from tests.platform.security.processes import free_port

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
STATIC = ROOT / "freshcircle" / "platform" / "static"


def _site_for_this_machine(tmp_path: Path, upstream_port: int) -> tuple[Path, int, int]:
    """The site file with this machine's paths and free ports, inside a minimal nginx.conf."""
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=freshcircle.example", "-keyout", str(tmp_path / "key.pem"),
                    "-out", str(tmp_path / "cert.pem")], check=True, capture_output=True)
    http, https = free_port(), free_port()
    site = (DEPLOY / "nginx" / "freshcircle.conf").read_text()
    site = re.sub(r"server 10\.0\.0\.1\d:8000", f"server 127.0.0.1:{upstream_port}", site)
    site = site.replace("listen 80;", f"listen 127.0.0.1:{http};")
    site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;")
    site = re.sub(r"\n\s*listen \[::\]:\d+( ssl http2)?;", "", site)
    site = site.replace("/etc/ssl/freshcircle/fullchain.pem", str(tmp_path / "cert.pem"))
    site = site.replace("/etc/ssl/freshcircle/privkey.pem", str(tmp_path / "key.pem"))
    site = site.replace("/srv/freshcircle/freshcircle/platform/static/", f"{STATIC}/")
    site = site.replace("allow 10.0.0.0/8;", "allow 127.0.0.1;")
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(f"""
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    access_log {tmp_path}/access.log;
    client_body_temp_path {tmp_path}/body;
    proxy_temp_path {tmp_path}/proxy;
    fastcgi_temp_path {tmp_path}/fastcgi;
    uwsgi_temp_path {tmp_path}/uwsgi;
    scgi_temp_path {tmp_path}/scgi;
    include {tmp_path}/site.conf;
}}
""")
    return tmp_path / "nginx.conf", http, https


@pytest.mark.no_db_isolation
@pytest.mark.database_independent
@pytest.mark.skipif(not Path(NGINX).exists(), reason="needs nginx (make system-deps)")
def test_the_nginx_site_serves_static_files_and_proxies_the_app_over_tls(tmp_path):
    app = create_app({"SECRET_KEY": "deploy-test", "PROXY_COUNT": 1,
                      "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "d.db")})
    with serving(app) as port:
        conf, http, https = _site_for_this_machine(tmp_path, port)
        checked = subprocess.run([NGINX, "-t", "-p", str(tmp_path), "-c", str(conf)],
                                 capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr
        nginx = subprocess.Popen([NGINX, "-p", str(tmp_path), "-c", str(conf),
                                  "-g", "daemon off;"], stderr=subprocess.PIPE)
        try:
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
        finally:
            nginx.terminate()
            nginx.wait(timeout=10)
            nginx.stderr.close()


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
