"""The production nginx site (deploy/nginx/freshcircle.conf) on this machine, for tests and
benches: a self-signed certificate, free ports on 127.0.0.1, the checkout's static files, the
given app nodes as the upstream, inside a minimal nginx.conf that runs without root.

Used by tests/deploy/test_deploy_files.py and bench/cluster.py.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
STATIC = ROOT / "freshcircle" / "platform" / "static"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def local_site(folder: Path, node_ports: list[int]) -> tuple[Path, int, int]:
    """Write the site and an nginx.conf into `folder`; (nginx.conf, http port, https port)."""
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=freshcircle.example", "-keyout", str(folder / "key.pem"),
                    "-out", str(folder / "cert.pem")], check=True, capture_output=True)
    http, https = free_port(), free_port()
    site = (DEPLOY / "nginx" / "freshcircle.conf").read_text()
    servers = re.findall(r"\n\s*server 10\.0\.0\.1\d:8000[^;]*;", site)
    nodes = "".join(server.replace(server.split()[1], f"127.0.0.1:{port}")
                    for server, port in zip(servers * len(node_ports), node_ports, strict=False))
    site = site.replace("".join(servers), nodes, 1)
    site = site.replace("listen 80;", f"listen 127.0.0.1:{http};")
    site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;")
    site = re.sub(r"\n\s*listen \[::\]:\d+( ssl http2)?;", "", site)
    site = site.replace("/etc/ssl/freshcircle/fullchain.pem", str(folder / "cert.pem"))
    site = site.replace("/etc/ssl/freshcircle/privkey.pem", str(folder / "key.pem"))
    site = site.replace("/srv/freshcircle/freshcircle/platform/static/", f"{STATIC}/")
    site = site.replace("allow 10.0.0.0/8;", "allow 127.0.0.1;")
    (folder / "site.conf").write_text(site)
    (folder / "nginx.conf").write_text(f"""
pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/site.conf;
}}
""")
    return folder / "nginx.conf", http, https


def check(conf: Path) -> subprocess.CompletedProcess:
    """`nginx -t` on the configuration."""
    return subprocess.run([NGINX, "-t", "-p", str(conf.parent), "-c", str(conf)],
                          capture_output=True, text=True)


@contextmanager
def running(conf: Path, https: int, timeout: float = 10):
    """nginx in the foreground with `conf`, once its HTTPS port accepts connections."""
    nginx = subprocess.Popen([NGINX, "-p", str(conf.parent), "-c", str(conf),
                              "-g", "daemon off;"], stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                socket.create_connection(("127.0.0.1", https), timeout=1).close()
                break
            except OSError:
                if nginx.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("nginx did not start: "
                                       + nginx.stderr.read().decode()[-2000:]) from None
                time.sleep(0.05)
        yield nginx
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)
        nginx.stderr.close()
