#!/usr/bin/env python3
"""Counts test cases in the JUnit XML files under bazel-testlogs and prints 'N passed, N failed'.

Exits 1 if no test case ran or any failed.
"""
import pathlib
import sys
import xml.etree.ElementTree as ET

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "bazel-testlogs")
passed = failed = skipped = 0
for xml in sorted(root.rglob("test.xml")):
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
