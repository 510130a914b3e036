#!/usr/bin/env python3
"""Regenerate the seed corpora under fuzz/corpus/ from examples/ and the unit
tests' string literals (run from anywhere; existing seeds are kept, a seed's
file name is the SHA-1 of its content). Hand-written seeds live next to
them under names that start with "seed_".

    fuzz/make_seeds.py            # add what is missing
"""
import hashlib
import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"
MAX_PER_TARGET = 40
MAX_SIZE = 4096

RAW = re.compile(r'R"([^(\s]{0,16})\((.*?)\)\1"', re.S)
PLAIN = re.compile(r'"((?:[^"\\\n]|\\.)*)"((?:\s*"(?:[^"\\\n]|\\.)*")*)')


def unescape(s):
    out = bytearray()
    i = 0
    b = s.encode("utf-8")
    simple = {ord("n"): b"\n", ord("t"): b"\t", ord("r"): b"\r", ord("0"): b"\0",
              ord('"'): b'"', ord("'"): b"'", ord("\\"): b"\\", ord("?"): b"?"}
    while i < len(b):
        c = b[i]
        if c != ord("\\") or i + 1 == len(b):
            out.append(c)
            i += 1
            continue
        n = b[i + 1]
        if n in simple:
            out += simple[n]
            i += 2
        elif n == ord("x"):
            m = re.match(rb"[0-9a-fA-F]{1,2}", b[i + 2:])
            out.append(int(m.group(0), 16) if m else 0)
            i += 2 + (len(m.group(0)) if m else 0)
        elif n == ord("u"):
            out += chr(int(b[i + 2:i + 6], 16)).encode("utf-8", "surrogatepass")
            i += 6
        else:
            out.append(n)
            i += 2
    return bytes(out)


def literals(path):
    text = path.read_text(encoding="utf-8")
    for m in RAW.finditer(text):
        yield m.group(2).encode("utf-8")
    no_raw = RAW.sub('""', text)
    for m in PLAIN.finditer(no_raw):
        parts = [m.group(1)] + re.findall(r'"((?:[^"\\\n]|\\.)*)"', m.group(2) or "")
        yield unescape("".join(parts))


def test_literals(*names):
    for name in names:
        yield from literals(ROOT / "src" / name)


def write(target, seeds):
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    have = len([p for p in d.iterdir() if not p.name.startswith("seed_")])
    seen = set()
    for data in seeds:
        if have >= MAX_PER_TARGET:
            break
        if not data or len(data) > MAX_SIZE or data in seen:
            continue
        seen.add(data)
        p = d / hashlib.sha1(data).hexdigest()
        if not p.exists():
            p.write_bytes(data)
            have += 1


def main():
    examples = sorted(ROOT.glob("examples/*/project.yml"))
    yml = [p.read_bytes() for p in examples]
    yml += [s for s in test_literals("project/load_test.cc", "project/context_test.cc")
            if b"tasks:" in s or b"commands:" in s]
    write("project_yml", yml)

    write("template", [s for s in test_literals("template/template_test.cc", "project/context_test.cc")
                       if b"{{" in s or b"{%" in s or b"{#" in s]
          + [s for p in examples for s in re.findall(rb"[^\n]*\{\{[^\n]*", p.read_bytes())])

    secrets = [p.read_bytes() for p in ROOT.glob("examples/*/.secrets/*.yml")]
    secrets += [s for s in test_literals("project/secrets_test.cc", "project/context_test.cc")
                if b"key:" in s]
    write("secrets_yml", secrets)

    compiled = []
    try:
        import yaml  # PyYAML, as the original's push_config used
        for p in examples:
            doc = yaml.safe_load(p.read_text())
            if isinstance(doc, dict):
                doc["files"] = [{"name": c.name, "value": c.read_text()}
                                for c in sorted((p.parent / "config").glob("*.json"))]
                compiled.append(json.dumps(doc).encode())
    except ImportError:
        print("PyYAML missing: compiled_config seeds from examples skipped", file=sys.stderr)
    compiled += [s for s in test_literals("remote/py_json_test.cc") if s.startswith(b"{")]
    write("compiled_config", compiled)

    write("s3_xml", [s for s in test_literals("aws/s3_test.cc", "store/aws_objects_test.cc")
                     if s.lstrip().startswith(b"<")])

    ini = [s for s in test_literals("aws/credentials_test.cc", "aws/client_test.cc")
           if b"[" in s and b"=" in s and b"\n" in s]
    write("aws_config", [s + b"\n%%\n" for s in ini] + [b"\n%%\n" + s for s in ini])

    write("assignments", [s.replace(b" ", b"\n") for s in test_literals("project/context_test.cc")
                          if b"=" in s and len(s) < 200])


if __name__ == "__main__":
    main()
