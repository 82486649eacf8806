"""The public showcase (阜阳好物) under load, for bench/marketplace.py: anonymous visitors on
the home page, every county, every regional brand and a spread of producer profiles (a random
one each request, gzip accepted as phones do), against hello-world under the same gunicorn
settings. Kept apart from the signed-in browse measurement so each changes on its own.
"""

from __future__ import annotations

import random
import sys
import tempfile
import urllib.request
from pathlib import Path

from benchkit import HIGHER, LOWER, Goal
from scan import free_port, run_wrk, start_gunicorn, stop, wait_ready, write_wrk_script

GOALS = (Goal("showcase_ratio", ">=", 0.5),)
WATCH = {"showcase_rps": HIGHER, "showcase_p99_ms": LOWER}
COUNTY_CODES = ("341202", "341203", "341204", "341221", "341222", "341225", "341226", "341282")
BRANDS = ("taihe-xiangchun", "linquan-baisuan", "yingshang-ouzi", "jieshou-shucai")


def showcase_paths(producers: int, seed: int = 2026) -> list[str]:
    rng = random.Random(seed)
    profiles = sorted(rng.sample(range(1, producers + 1), min(producers, 20)))
    return ["/", "/haowu/", *(f"/haowu/counties/{c}" for c in COUNTY_CODES),
            *(f"/haowu/brands/{b}" for b in BRANDS), *(f"/haowu/producers/{p}" for p in profiles)]


def measure_showcase(args, env: dict[str, str]) -> dict:
    """wrk on the showcase pages and on hello-world; the figures and their ratio."""
    servers = []
    paths = showcase_paths(args.producers, args.seed)
    figures: dict[str, dict] = {}
    with tempfile.TemporaryFile("w+") as log, tempfile.TemporaryDirectory() as scratch:
        try:
            port = free_port()
            servers.append(start_gunicorn("freshcircle.platform:create_app()", port, args, env,
                                          log))
            base = f"http://127.0.0.1:{port}"
            wait_ready(f"{base}/login", servers[-1])
            for path in paths:  # every page answers 200 (and warms each process's cache)
                with urllib.request.urlopen(base + path, timeout=30) as response:
                    body = response.read().decode()
                if "元/斤" in body or ("登录后查看批发价并下单" not in body and path == "/"):
                    raise SystemExit(f"the showcase page {path} is not what visitors should see")
            script = write_wrk_script(paths, scratch)
            Path(script).write_text(Path(script).read_text().replace(
                "function request()", 'wrk.headers["Accept-Encoding"] = "gzip"\n'
                                      "function request()"))
            hello_port = free_port()
            servers.append(start_gunicorn("hello_app:app", hello_port, args, env, log))
            hello = f"http://127.0.0.1:{hello_port}/"
            wait_ready(hello, servers[-1])
            for name, url, lua in (("showcase", f"{base}/", script), ("hello", hello, None)):
                run_wrk(url, args, args.warmup, lua)
                figures[name] = run_wrk(url, args, args.seconds, lua)
                print(f"{name:8}: {figures[name]['rps']:8.0f} requests/s, p99 "
                      f"{figures[name]['p99_ms']:.1f} ms ({figures[name]['non_2xx']} not 2xx)",
                      flush=True)
        except BaseException:
            log.seek(0)
            print(log.read()[-4000:], file=sys.stderr)
            raise
        finally:
            for server in servers:
                stop(server)
    showcase, hello_figures = figures["showcase"], figures["hello"]
    return {
        "showcase_pages": len(paths),
        "showcase_rps": round(showcase["rps"]),
        "showcase_p99_ms": round(showcase["p99_ms"], 1),
        "showcase_hello_rps": round(hello_figures["rps"]),
        "showcase_ratio": round(showcase["rps"] / hello_figures["rps"], 2),
        "showcase_non_2xx": showcase["non_2xx"],
    }
