"""Refresh tests/traceability/data/gs1_digital_link_cases.json from GS1's own test suites.

Reads, as data, the Digital Link URI cases of
  * gs1/gs1-syntax-engine  src/c-lib/dl.c, function test_dl_parseDLuri (expected pass/fail,
    the element string GS1's parser produces, and the parser options set around each case);
  * gs1/digital-link.js    tests/index.js, every DigitalLink('<uri>') with what the test
    expects of it (isValid, a throw, the identifier / key qualifiers / attributes read back).
Nothing of either project's code is copied; only the URIs and the expectations are kept.

Each case is then classified by the URI's features (never by running FreshCircle's parser):
"in" scope, or the first reason from REASONS that takes it out. Review the diff after a refresh.

    python tools/gs1_dl_cases.py --syntax-engine /path/to/gs1-syntax-engine.git \
        --digital-link-js /path/to/digital-link.js.git
(bare or normal git directories; the HEAD commit is read and recorded.)
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
from pathlib import Path

from freshcircle.traceability.gs1_ais import ATTRIBUTE_AIS

OUT = Path(__file__).resolve().parent.parent / "tests/traceability/data/gs1_digital_link_cases.json"

REASONS = {
    "compressed": "compressed Digital Link; FreshCircle reads uncompressed links only",
    "not_https": "scheme other than https (http, ftp); FreshCircle accepts https only",
    "other_primary_key": "primary key other than GTIN (01); FreshCircle links are GTIN links",
    "path_stem": "custom path before the key (/stem/01/...); FreshCircle paths start at /01/",
    "convenience_alpha": "alphabetic AI names (/gtin/, /ser/); off by default in GS1's parser too",
    "qualifier_235": "AI 235 (third-party GTIN extension) as key qualifier; not used",
    "strict_trailing_slash": "path ending in '/'; FreshCircle refuses it (as gs1-syntax-engine)",
    "strict_zero_suppressed_gtin": "GTIN-8/12/13 in the path; FreshCircle requires 14 digits",
    "strict_fragment": "'#' fragment; FreshCircle refuses it, GS1 ignores it",
    "strict_plus_in_query": "'+' in the query; FreshCircle refuses it, GS1 reads it as a space",
    "strict_empty_parameter": "'&&' or a parameter without value; FreshCircle refuses, GS1 skips",
    "ai_not_supported": "query AI outside FreshCircle's attributes; refused as unknown_ai",
}


def git_show(gitdir: str, path: str) -> str:
    return subprocess.run(
        ["git", f"--git-dir={gitdir}", "show", f"HEAD:{path}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def git_head(gitdir: str) -> str:
    return subprocess.run(
        ["git", f"--git-dir={gitdir}", "rev-parse", "HEAD"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


# --- gs1-syntax-engine ----------------------------------------------------------------------

_C_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|//[^\n]*|[^"/]+|/')  # strings, comments, the rest
_OPTION_LINES = {
    "gs1_encoder_setPermitZeroSuppressedGTINinDLuris": "permitZeroSuppressedGTINinDLuris",
    "ctx->permitConvenienceAlphas": "permitConvenienceAlphas",
    "gs1_encoder_setPermitUnknownAIs": "permitUnknownAIs",
    "gs1_encoder_vUNKNOWN_AI_NOT_DL_ATTR": "unknownAInotDLattr:off",
}


def _c_unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def ai_table(dictionary: str) -> dict[str, int | None]:
    """AI -> fixed length (the "*" flag: no FNC1 needed) or None, from GS1's syntax dictionary."""
    table: dict[str, int | None] = {}
    for line in dictionary.splitlines():
        fields = line.split("#", 1)[0].split()
        if not fields or not fields[0][0].isdigit():
            continue
        first, _, last = fields[0].partition("-")
        fixed = None
        if len(fields) > 1 and "*" in fields[1]:
            spec = " ".join(fields[2:])
            fixed = sum(int(m) for m in re.findall(r"(?:^|\s)\[?[NXYZ](\d+)", spec))
        for ai in range(int(first), int(last or first) + 1):
            table[str(ai).zfill(len(first))] = fixed
    return table


def element_string_ais(element: str, table: dict[str, int | None]) -> dict[str, str]:
    """Split GS1's "^0112345678901231...^10ABC" output into {AI: value} (AIs are prefix-free)."""
    ais: dict[str, str] = {}
    rest = element.removeprefix("^")
    while rest:
        ai = next((rest[:n] for n in (2, 3, 4) if rest[:n] in table), rest[:2])
        fixed = table.get(ai)
        if fixed:
            value, rest = rest[len(ai) : len(ai) + fixed], rest[len(ai) + fixed :]
        else:
            value, _, rest = rest[len(ai) :].partition("^")
        rest = rest.removeprefix("^")
        ais[ai] = value
    return ais


def syntax_engine_cases(gitdir: str) -> list[dict]:
    source = git_show(gitdir, "src/c-lib/dl.c")
    table = ai_table(git_show(gitdir, "src/c-lib/gs1-syntax-dictionary.txt"))
    lines = source.splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith("void test_dl_parseDLuri("))
    end = next(i for i in range(start, len(lines)) if lines[i] == "}")
    options: set[str] = set()
    cases, i = [], start
    while i < end:
        line = lines[i]
        for marker, name in _OPTION_LINES.items():
            if marker in line and not line.lstrip().startswith("#"):
                on = ("false" if name.endswith(":off") else "true") in line
                (options.add if on else options.discard)(name)
        if line.lstrip().startswith("test_parseDLuri("):
            first, text = i, line
            while ");" not in "".join(t for t in _C_TOKEN.findall(text) if t[0] not in '"/'):
                i += 1
                text += "\n" + lines[i]
            verdict = re.search(r"test_parseDLuri\(\s*(true|false)", text).group(1) == "true"
            tokens = _C_TOKEN.findall(text)
            strings = [_c_unescape(t[1:-1]) for t in tokens if t.startswith('"')]
            comment = " ".join(t[2:].strip() for t in tokens if t.startswith("//"))
            uri, element = strings[0], strings[1] if len(strings) > 1 else ""
            case = {
                "id": f"gs1-syntax-engine:dl.c:{first + 1}",
                "uri": uri,
                "gs1_valid": verdict,
                "gs1_options": sorted(options),
            }
            if verdict:
                case["gs1_element_string"] = element
                case["gs1_ais"] = element_string_ais(element, table)
            if comment:
                case["gs1_comment"] = comment
            cases.append(case)
        i += 1
    return cases


# --- digital-link.js ------------------------------------------------------------------------

_JS_STRING = r"'([^']*)'"


def digital_link_js_cases(gitdir: str) -> list[dict]:
    source = git_show(gitdir, "tests/index.js")
    data_block = source[source.index("const DATA = {") : source.index("};")]
    constants = {f"DATA.{k}": v for k, v in re.findall(r"(\w+):\s*" + _JS_STRING, data_block)}
    identifier = re.search(r"identifier: \{\s*key: '(\d+)',\s*value: '([^']*)'", source)
    lines = source.splitlines()
    cases: list[dict] = []
    current: dict | None = None
    title = ""
    local: dict[str, str] = {}
    success: bool | None = None
    for number, line in enumerate(lines, 1):
        if m := re.match(r"\s*it\((['\"])(.*)\1,", line):
            title, current, local, success = m.group(2), None, {}, None
        if not title:  # helpers outside it(...) blocks assert nothing themselves
            continue
        joined = line + (lines[number] if number < len(lines) else "")
        if m := re.search(r"const (\w+) =\s*" + _JS_STRING, joined):
            local[m.group(1)] = m.group(2)
        if m := re.search(r"^\s*success: (true|false)", line):
            success = m.group(1) == "true"
            if current is not None:
                current["gs1_valid"] = success
        if m := re.search(r"DigitalLink\(\s*(?:" + _JS_STRING + r"|([\w.]+))?\s*\)", line):
            uri = m.group(1) if m.group(1) is not None else local.get(m.group(2) or "")
            uri = uri if uri is not None else constants.get(m.group(2) or "")
            if uri is not None:
                current = {
                    "id": f"digital-link.js:index.js:{number}",
                    "uri": uri,
                    "gs1_valid": success,
                    "gs1_options": [],
                    "gs1_comment": title,
                }
                cases.append(current)
        if current is None and re.search(r"DigitalLink\(\s*$", line):
            nxt = re.search(_JS_STRING, lines[number])  # the URI on the next line
            if nxt:
                current = {
                    "id": f"digital-link.js:index.js:{number}",
                    "uri": nxt.group(1),
                    "gs1_valid": None,
                    "gs1_options": [],
                    "gs1_comment": title,
                }
                cases.append(current)
        if current is None:
            continue
        if "setSortKeyQualifiers(true)" in line:
            current["gs1_options"] = ["setSortKeyQualifiers"]
        if m := re.search(r"isValid\(\)\)\.to\.equal\((true|false)\)", line):
            current["gs1_valid"] = m.group(1) == "true"
        if m := re.search(r"isCheckDigitValid\(\)\)\.to\.equal\((true|false)\)", line):
            current["gs1_valid"] = m.group(1) == "true"
            current["gs1_comment"] = title + " (isCheckDigitValid)"
        if re.search(r"\)\.to\.throw\(\)", line) and ".not." not in line:
            current["gs1_valid"] = False
            current["gs1_comment"] = title + " (throws)"
        ais = current.setdefault("gs1_ais", {})
        if m := re.search(r"getIdentifier\(\)\)\.to\.deep\.equal\(\{ '(\d+)': '([^']*)' \}", line):
            ais[m.group(1)] = m.group(2)
        elif "getIdentifier()).to.deep.equal({" in line and "DATA.identifier" in joined:
            ais[identifier.group(1)] = identifier.group(2)
        if m := re.search(
            r"get(?:KeyQualifier|Attribute)\('(\w+)'\)\)\.to\.equal\('([^']*)'\)", line
        ):
            (ais if m.group(1).isdigit() else current.setdefault("gs1_extras", {}))[m.group(1)] = (
                m.group(2)
            )
        if m := re.search(r"getLinkType\(\)\)\.to\.equal\('([^']*)'\)", line):
            current.setdefault("gs1_extras", {})["linkType"] = m.group(1)
        if m := re.search(r"toWebUriString\(\)\)\.to\.equal\((\w+)\)", line):
            current["gs1_expands_to"] = local.get(m.group(1), "")
    for case in cases:
        if not case.get("gs1_ais"):
            case.pop("gs1_ais", None)
    # DATA.url: the setters build the same link (asserted equal) and that isValid()
    url = {
        "id": "digital-link.js:index.js:DATA.url",
        "uri": constants["DATA.url"],
        "gs1_valid": True,
        "gs1_options": [],
        "gs1_comment": "DATA.url; createUsingSetters() gives this link and isValid()",
        "gs1_ais": {},
        "gs1_extras": {"linkType": constants["DATA.linkType"]},
    }
    for key, value in re.findall(r"\w+: \{\s*key: '([^']*)',\s*value: '([^']*)'", data_block):
        url["gs1_ais" if key.isdigit() else "gs1_extras"][key] = value
    return [
        url,
        *(
            c
            for c in cases
            if c["gs1_valid"] is not None or "gs1_ais" in c or "gs1_expands_to" in c
        ),
    ]


# --- classification -------------------------------------------------------------------------

_ALPHAS = (  # GS1's short names, and the two unknown ones its tests try (zzz, cps)
    "gtin",
    "ser",
    "sscc",
    "lot",
    "cpv",
    "gln",
    "grai",
    "gsrn",
    "gdti",
    "gsin",
    "gcn",
    "giai",
    "zzz",
    "cps",
)


def classify(case: dict) -> str:
    """The first reason that takes the case out of FreshCircle's scope, or "in"."""
    uri = case["uri"]
    scheme, sep, rest = uri.partition("://")
    segments = rest.split("#")[0].split("?")[0].split("/")[1:] if sep else []
    query = rest.split("#")[0].partition("?")[2] if sep else ""
    if (
        sep
        and len(segments) == 1
        and re.fullmatch(r"[A-Za-z0-9_-]*[A-Za-z_-][A-Za-z0-9_-]*", segments[0])
        and len(segments[0]) >= 10
    ):
        return "compressed"
    if sep and scheme.lower() != "https":
        return "not_https"
    if segments and segments[0] in _ALPHAS:
        return "convenience_alpha"
    if not any(re.fullmatch(r"[0-9]{2,4}", s) for s in segments):
        return "in"  # no AI in the path at all: any parser must refuse it
    if segments and segments[0] != "01" and "01" not in segments[:-1]:
        return "other_primary_key"
    if segments and segments[0] != "01":
        return "path_stem"
    if "235" in segments[::2]:
        return "qualifier_235"
    if len(segments) % 2 and len(segments) > 2 and segments[-1] == "":  # /01/x/, not /01/x/10/
        return "strict_trailing_slash"
    if len(segments) > 1 and segments[1].isdigit() and len(segments[1]) in (8, 12, 13):
        return "strict_zero_suppressed_gtin"
    if "#" in uri:
        return "strict_fragment"
    if "+" in query:
        return "strict_plus_in_query"
    pairs = query.split("&") if query else []  # a bare "?" is accepted, by GS1 and by us
    if any(
        "=" not in p or p.startswith("=") or (p.endswith("=") and not p[0].isdigit()) for p in pairs
    ):
        return "strict_empty_parameter"
    keys = [p.partition("=")[0] for p in pairs]
    if any(
        k.isdigit() and k not in ATTRIBUTE_AIS and k not in ("01", "10", "21", "22") for k in keys
    ):
        return "ai_not_supported"
    return "in"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--syntax-engine", required=True, help="gs1/gs1-syntax-engine git dir")
    parser.add_argument("--digital-link-js", required=True, help="gs1/digital-link.js git dir")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    cases = syntax_engine_cases(args.syntax_engine) + digital_link_js_cases(args.digital_link_js)
    for case in cases:
        case["scope"] = classify(case)
    document = {
        "sources": {
            "gs1-syntax-engine": {
                "repository": "https://github.com/gs1/gs1-syntax-engine",
                "commit": git_head(args.syntax_engine),
                "file": "src/c-lib/dl.c (test_dl_parseDLuri)",
                "licence": "Apache-2.0",
            },
            "digital-link.js": {
                "repository": "https://github.com/gs1/digital-link.js",
                "commit": git_head(args.digital_link_js),
                "file": "tests/index.js",
                "licence": "Apache-2.0",
            },
        },
        "reasons": REASONS,
        "cases": cases,
    }
    args.out.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n")
    print(f"{len(cases)} cases written to {args.out}")


if __name__ == "__main__":
    main()
