"""A 2020-style tap: reads its config and the previous state, emits records, then its state."""
import argparse
import json
import os

parser = argparse.ArgumentParser()
parser.add_argument("--config", required=True)
parser.add_argument("--state")
parser.add_argument("--start-at", required=True)
opts = parser.parse_args()

with open(opts.config) as f:
    config = json.load(f)
run = 0
if opts.state and os.path.exists(opts.state):
    with open(opts.state) as f:
        text = f.read().strip()
    if text:
        run = json.loads(text)["run"]
run += 1
for i in range(1, config["count"] + 1):
    print(json.dumps({"type": "RECORD", "base": config["base"], "run": run, "i": i}))
print(json.dumps({"type": "STATE", "value": {"run": run, "start_at": opts.start_at,
                                             "greeting": os.environ.get("OLD_FORMAT_GREETING", "")}}))
