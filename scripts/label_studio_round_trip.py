"""Pre-annotations through a running Label Studio and back: the README's annotation-loop check.

    python scripts/label_studio_round_trip.py TASKS.json OUT_DIR [--url http://127.0.0.1:8089] [--token TOKEN]

Makes a project with the labelling interface `edunlp export` wrote beside TASKS.json
(TASKS.label_config.xml), imports the tasks with their predictions, accepts every prediction as
a reviewer would (one annotation per task, its result the prediction's), then downloads the
project as JSON and JSON-MIN into OUT_DIR and reads both back with edunlp.corpus.examples.read_examples.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from edunlp.corpus.examples import read_examples  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tasks", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--url", default="http://127.0.0.1:8089")
    parser.add_argument("--token", required=True, help="the user's legacy API token")
    args = parser.parse_args()

    def call(method: str, path: str, body: object = None) -> bytes:
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
        headers = {"Authorization": f"Token {args.token}", "Content-Type": "application/json"}
        request = urllib.request.Request(args.url + path, data=data, method=method, headers=headers)
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.read()

    config = args.tasks.with_name(args.tasks.stem + ".label_config.xml").read_text(encoding="utf-8")
    tasks = json.loads(args.tasks.read_text(encoding="utf-8"))
    project = json.loads(call("POST", "/api/projects", {"title": "edunlp review", "label_config": config}))["id"]
    print("import:", json.loads(call("POST", f"/api/projects/{project}/import", tasks)))
    listed = json.loads(call("GET", f"/api/tasks?project={project}&page_size=100000&fields=all"))
    for task in listed["tasks"] if isinstance(listed, dict) else listed:
        call("POST", f"/api/tasks/{task['id']}/annotations/", {"result": task["predictions"][0]["result"]})
    args.out.mkdir(parents=True, exist_ok=True)
    for kind in ("JSON", "JSON_MIN"):
        path = args.out / f"export-{kind}.json"
        path.write_bytes(call("GET", f"/api/projects/{project}/export?exportType={kind}"))
        examples = read_examples(path)
        print(f"{kind}: {len(examples)} paragraphs, {sum(len(e.labels) for e in examples)} labels, "
              f"{sum(len(e.sentences) for e in examples)} labelled sentences, "
              f"{sum(len(e.entities) for e in examples)} entities")
    return 0


if __name__ == "__main__":
    sys.exit(main())
