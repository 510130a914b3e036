"""target: writes each stream's RECORDs to artifacts/<stream>.csv, prints the last STATE."""
import argparse
import csv
import json
import os
import sys


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", required=True)
    opts = parser.parse_args()
    with open(opts.config) as f:
        config = json.load(f)
    writers, files, columns = {}, {}, {}
    state = None
    count = 0
    for line in sys.stdin:
        msg = json.loads(line)
        kind = msg["type"]
        if kind == "SCHEMA":
            stream = msg["stream"]
            columns[stream] = list(msg["schema"]["properties"])
            path = os.path.join(config["destination"], f"{stream}.csv")
            files[stream] = open(path, "w", newline="")
            writers[stream] = csv.DictWriter(files[stream], fieldnames=columns[stream],
                                             delimiter=config["delimiter"], lineterminator="\n")
            writers[stream].writeheader()
        elif kind == "RECORD":
            writers[msg["stream"]].writerow(msg["record"])
            count += 1
        elif kind == "STATE":
            state = msg["value"]
    for f in files.values():
        f.close()
    print(f"target: wrote {count} records", file=sys.stderr)
    if state is not None:
        sys.stdout.write(json.dumps(state, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
