"""Figures for docs/RELIABILITY.md (issue 6).

A hardening test calls record() once per area it attacks. When
HO_RELIABILITY_DIR is set (scripts/reliability sets it), one JSON line is
appended to $HO_RELIABILITY_DIR/<slug>.jsonl; otherwise nothing is written,
so the ordinary test suite leaves no files behind.

Fields, all per area:
  inputs          inputs tried or operations attempted
  faults          faults injected (0 for pure input fuzzing)
  survived        operations that completed correctly despite the faults
  failed_cleanly  operations that failed with a clear message and left the
                  old or the new state intact (never a mix)
  data_lost       bytes lost or corrupted; anything but 0 is a bug
  command         the command that reproduces the figures
"""
import json
import os
import re


def record(area, *, inputs, faults, survived, failed_cleanly, data_lost, command):
    out = os.environ.get("HO_RELIABILITY_DIR")
    if not out:
        return
    os.makedirs(out, exist_ok=True)
    slug = re.sub(r"[^a-z0-9]+", "_", area.lower()).strip("_")
    row = {
        "area": area,
        "inputs": int(inputs),
        "faults": int(faults),
        "survived": int(survived),
        "failed_cleanly": int(failed_cleanly),
        "data_lost": int(data_lost),
        "command": command,
    }
    with open(os.path.join(out, slug + ".jsonl"), "a", encoding="utf-8") as f:
        f.write(json.dumps(row, sort_keys=True) + "\n")
