#!/usr/bin/env python3
"""Counts test cases in the JUnit XML files bazel wrote and prints 'N passed, N failed'.

usage: test_summary.py TESTLOGS_DIR [LABELS_FILE]

With LABELS_FILE (one test label per line, as `bazel query 'tests(//...)'` prints them), only
those targets' logs are read, so stale logs of removed targets do not count. Exits 1 if no test
case ran, a listed target has no log, or any test case failed.
"""
import pathlib
import sys
import xml.etree.ElementTree as ET

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "bazel-testlogs")
if len(sys.argv) > 2:
    labels = [l.strip() for l in open(sys.argv[2]) if l.strip().startswith("//")]
    logs = [root / l[2:].replace(":", "/") / "test.xml" for l in labels]
else:
    logs = sorted(root.rglob("test.xml"))

passed = failed = skipped = 0
for xml in logs:
    if not xml.exists():
        print(f"no test log: {xml}", file=sys.stderr)
        failed += 1
        continue
    try:
        tree = ET.parse(xml)
    except ET.ParseError:
        print(f"unreadable test log: {xml}", file=sys.stderr)
        failed += 1
        continue
    for case in tree.iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        elif case.get("status") == "notrun" or case.find("skipped") is not None:
            skipped += 1
        else:
            passed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(0 if passed > 0 and failed == 0 else 1)
