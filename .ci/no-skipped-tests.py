#!/usr/bin/env python3
"""Fails when any test was skipped: CI installs every tool the tests need, so a skip is a test that did not run.

Reads the Surefire and Failsafe reports (TEST-*.xml) under the given folders (default: the repository) and lists
each skipped test case. Exit 1 if any was skipped, or if no report was found at all. It reads every report it
finds, an earlier build's too: run it right after a build that started without them (`mvn clean verify`, or as
.ci/run does, removing target/*-reports first)."""
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

roots = [Path(arg) for arg in sys.argv[1:]] or [Path(__file__).resolve().parent.parent]
reports = sorted(report for root in roots
                 for pattern in ("*/target/surefire-reports/TEST-*.xml", "*/target/failsafe-reports/TEST-*.xml",
                                 "target/surefire-reports/TEST-*.xml", "target/failsafe-reports/TEST-*.xml")
                 for report in root.glob(pattern))
if not reports:
    sys.exit(f"no-skipped-tests: no Surefire reports under {', '.join(map(str, roots))}")
tests, skipped = 0, []
for report in reports:
    suite = ET.parse(report).getroot()
    tests += int(suite.get("tests", 0))
    for case in suite.iter("testcase"):
        if case.find("skipped") is not None:
            reason = case.find("skipped").get("message") or ""
            skipped.append(f"{case.get('classname')}.{case.get('name')}  {reason}".rstrip())
    if int(suite.get("skipped", 0)) and not any(s.startswith(suite.get("name", "?") + ".") for s in skipped):
        skipped.append(f"{suite.get('name')}: {suite.get('skipped')} skipped ({report})")
if skipped:
    print(f"no-skipped-tests: {len(skipped)} of {tests} tests were skipped (CI has every tool; none may skip):",
          file=sys.stderr)
    for line in skipped:
        print("  " + line, file=sys.stderr)
    sys.exit(1)
print(f"no-skipped-tests: {tests} tests in {len(reports)} reports, none skipped")
