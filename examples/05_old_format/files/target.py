"""A 2020-style target: writes records to a file, prints the last state on stdout."""
import argparse
import json
import sys

parser = argparse.ArgumentParser()
parser.add_argument("--out", required=True)
opts = parser.parse_args()

state = None
with open(opts.out, "w") as out:
    for line in sys.stdin:
        msg = json.loads(line)
        if msg["type"] == "RECORD":
            out.write("%s %d %d\n" % (msg["base"], msg["run"], msg["i"]))
        elif msg["type"] == "STATE":
            state = msg["value"]
if state is not None:
    print(json.dumps(state, sort_keys=True))
