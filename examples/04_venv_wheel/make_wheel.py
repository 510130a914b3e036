#!/usr/bin/env python3
"""Build a tiny pure-Python wheel with the standard library only.

A fresh `python3 -m venv` has pip but no `wheel` package, and without a
package index pip cannot build a source tree; it can install a .whl offline.
So we assemble the wheel by hand: the module, METADATA, WHEEL,
entry_points.txt (a console script) and RECORD (sha256 of every file).

usage: make_wheel.py OUTPUT_DIR   -> writes OUTPUT_DIR/hello_handoff-0.1-py3-none-any.whl
"""
import base64
import hashlib
import os
import sys
import zipfile

NAME = "hello_handoff"
VERSION = "0.1"
WHEEL_NAME = f"{NAME}-{VERSION}-py3-none-any.whl"

MODULE = '''\
"""hello-handoff: greets its argument, says which virtualenv it runs in."""
import os
import sys


def main():
    who = " ".join(sys.argv[1:]) or "world"
    venv = os.path.basename(sys.prefix.rstrip("/"))
    print(f"hello, {who}! (venv={venv})")
    for line in sys.stdin:
        print(f"> {line.rstrip()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
'''

DIST_INFO = f"{NAME}-{VERSION}.dist-info"
FILES = {
    f"{NAME}.py": MODULE,
    f"{DIST_INFO}/METADATA": (
        "Metadata-Version: 2.1\n"
        f"Name: {NAME}\n"
        f"Version: {VERSION}\n"
        "Summary: A tiny console script for the handoff examples\n"
    ),
    f"{DIST_INFO}/WHEEL": (
        "Wheel-Version: 1.0\n"
        "Generator: handoff-examples-make_wheel\n"
        "Root-Is-Purelib: true\n"
        "Tag: py3-none-any\n"
    ),
    f"{DIST_INFO}/entry_points.txt": (
        "[console_scripts]\n"
        f"hello-handoff = {NAME}:main\n"
    ),
}


def record_line(path, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}"


def build(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    target = os.path.join(out_dir, WHEEL_NAME)
    records = []
    # A fixed timestamp keeps the wheel byte-for-byte reproducible.
    stamp = (2020, 7, 16, 0, 0, 0)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for path, text in FILES.items():
            data = text.encode()
            zf.writestr(zipfile.ZipInfo(path, stamp), data)
            records.append(record_line(path, data))
        records.append(f"{DIST_INFO}/RECORD,,")
        zf.writestr(zipfile.ZipInfo(f"{DIST_INFO}/RECORD", stamp), "\n".join(records) + "\n")
    return target


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    print(build(sys.argv[1]))
