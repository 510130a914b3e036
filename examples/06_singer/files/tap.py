"""tap: emits a SCHEMA, batch_size RECORDs after the bookmark, and a STATE (Singer spec)."""
import argparse
import json
import os
import sys


def emit(message):
    sys.stdout.write(json.dumps(message) + "\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", required=True)
    parser.add_argument("--state")
    opts = parser.parse_args()
    with open(opts.config) as f:
        config = json.load(f)
    stream = config["stream"]
    bookmark = 0
    if opts.state and os.path.exists(opts.state):
        with open(opts.state) as f:
            state = json.load(f)
        bookmark = state.get("bookmarks", {}).get(stream, {}).get("last_id", 0)
    print(f"tap: {stream} resuming after id {bookmark}", file=sys.stderr)
    emit({"type": "SCHEMA", "stream": stream, "key_properties": ["id"],
          "schema": {"type": "object", "properties": {
              "id": {"type": "integer"}, "name": {"type": "string"},
              "email": {"type": "string"}}}})
    last = bookmark
    for i in range(bookmark + 1, bookmark + 1 + config["batch_size"]):
        emit({"type": "RECORD", "stream": stream,
              "record": {"id": i, "name": f"user{i}", "email": f"user{i}@example.com"}})
        last = i
    emit({"type": "STATE", "value": {"bookmarks": {stream: {"last_id": last}}}})


if __name__ == "__main__":
    main()
