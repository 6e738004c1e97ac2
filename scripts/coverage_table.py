#!/usr/bin/python3
"""Writes the README's table of GuardDuty operations and whether Vigil serves each.

The operations come from Debian's botocore model of GuardDuty (the source of truth for
names); what Vigil serves comes from the route tables in src/api/*.cpp (the lines
`{"METHOD", "/path/{label}", "OperationName", Handler}`). An operation counts as served
only when its route has the model's method and path.

    scripts/coverage_table.py          rewrite the section of README.md between the markers
    scripts/coverage_table.py --check  exit 1 if README.md's section is not what it would write

Run with /usr/bin/python3 (Debian's, which has botocore).
"""

import argparse
import json
import re
import sys
from pathlib import Path

import botocore

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
MODEL = Path(botocore.__file__).parent / "data" / "guardduty" / "2017-11-28" / "service-2.json"
BEGIN = "<!-- coverage-table:begin (scripts/coverage_table.py writes this section) -->"
END = "<!-- coverage-table:end -->"
ROUTE_RE = re.compile(r'\{\s*"([A-Z]+)",\s*"([^"]+)",\s*"([A-Za-z]+)",', re.MULTILINE)


def model_operations():
    """{operation: (method, path)} from the botocore model."""
    model = json.loads(MODEL.read_text())
    return {name: (op["http"]["method"], op["http"]["requestUri"])
            for name, op in model["operations"].items()}


def served_routes():
    """{operation: (method, path)} from the route tables of src/api."""
    routes = {}
    for source in sorted((REPO / "src" / "api").glob("*.cpp")):
        for method, path, operation in ROUTE_RE.findall(source.read_text()):
            routes[operation] = (method, path)
    return routes


def template(path):
    """A path with its labels' names dropped: /detector/{detectorId} -> /detector/{}."""
    return re.sub(r"\{[^}]*\}", "{}", path.split("?")[0])


def table():
    operations = model_operations()
    routes = served_routes()
    rows, served = [], 0
    for number, name in enumerate(sorted(operations), start=1):
        method, path = operations[name]
        route = routes.get(name)
        if route is None:
            status = "not served"
        elif route[0] != method or template(route[1]) != template(path):
            status = f"**route differs from the model** ({route[0]} `{route[1]}`)"
        else:
            status = "served"
            served += 1
        rows.append(f"| {number} | {name} | {method} | `{path}` | {status} |")
    lines = [BEGIN, "",
             f"{served} of {len(operations)} operations of botocore's GuardDuty model "
             "(2017-11-28) are served.", "",
             "| # | operation | method | path | status |", "| --- | --- | --- | --- | --- |"]
    return "\n".join(lines + rows + ["", END])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="fail when README.md's table is stale instead of rewriting it")
    args = parser.parse_args()
    readme = README.read_text()
    begin, end = readme.find(BEGIN), readme.find(END)
    if begin < 0 or end < begin:
        sys.exit(f"{README}: the markers {BEGIN!r} and {END!r} are missing")
    updated = readme[:begin] + table() + readme[end + len(END):]
    if args.check:
        if updated != readme:
            sys.exit("README.md's operation coverage table is stale: run "
                     "/usr/bin/python3 scripts/coverage_table.py")
        return
    if updated != readme:
        README.write_text(updated)


if __name__ == "__main__":
    main()
