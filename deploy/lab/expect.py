"""Judges one lab scenario from the alerts the sink wrote (one JSON object per line, fields as in ALERTS.md).

Expectations, one per line:
  TYPE field=value ...     an alert of TYPE with these fields must arrive (values as JSON prints them; lists match
                           when they contain the value)
  !TYPE field=value ...    no such alert may arrive
  !severity>=warning       no alert of severity warning or critical may arrive
  !severity>=warning except=TYPE,...   none but of these types (a healthy twin's real failover: ARP_IP_MOVED)
  @recording LINE          holds for the recorded sample only (the Java tests check it): skipped here, since a live
                           run may, for example, spread a case's attempts over two clock-aligned alert windows
Waits until every positive expectation is met or the timeout passes, then a settle time for late negatives.
Writes 'PASS' or 'FAIL: why' to --result and exits 0 or 1.
"""
import argparse
import datetime
import json
import sys
import time

SEVERITY = {"info": 0, "warning": 1, "critical": 2}


def parse(text):
    rules = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or line.startswith("@recording"):
            continue
        negative = line.startswith("!")
        words = line.lstrip("!").split()
        if words[0].startswith("severity>="):
            fields = dict(word.split("=", 1) for word in words[1:])
            fields["severity>="] = words[0].split(">=", 1)[1]
            rules.append((negative, None, fields, line))
            continue
        fields = dict(word.split("=", 1) for word in words[1:])
        rules.append((negative, words[0], fields, line))
    return rules


def matches(alert, kind, fields):
    if kind is None:
        if alert.get("type") in fields.get("except", "").split(","):
            return False
        return SEVERITY.get(alert.get("severity"), 0) >= SEVERITY[fields["severity>="]]
    if alert.get("type") != kind:
        return False
    for name, wanted in fields.items():
        value = alert.get(name)
        if isinstance(value, list):
            if wanted not in [str(item) for item in value]:
                return False
        elif isinstance(value, bool):
            if str(value).lower() != wanted:
                return False
        elif str(value) != wanted:
            return False
    return True


def read(path, from_line, since):
    alerts = []
    try:
        with open(path) as lines:
            for number, line in enumerate(lines):
                if number >= from_line and line.strip():
                    alert = json.loads(line)
                    # Capture time: a late alert about an earlier scenario (a sensor that stopped falling silent,
                    # say) is not this scenario's.
                    first = datetime.datetime.fromisoformat(alert["first_seen"].replace("Z", "+00:00")).timestamp()
                    if first >= since:
                        alerts.append(alert)
    except FileNotFoundError:
        pass
    return alerts


def describe(alerts):
    return "; ".join(f"{a.get('type')} {a.get('cause') or ''} {a.get('server') or a.get('ip') or a.get('dst_ip') or ''}"
                     f" on {a.get('host')}".replace("  ", " ") for a in alerts) or "none"


def main():
    arguments = argparse.ArgumentParser()
    arguments.add_argument("--alerts", required=True)
    arguments.add_argument("--from-line", type=int, default=0)
    arguments.add_argument("--since", type=float, default=0, help="ignore alerts first seen before this epoch time")
    arguments.add_argument("--expect", required=True)
    arguments.add_argument("--timeout", type=float, default=60)
    arguments.add_argument("--settle", type=float, default=5)
    arguments.add_argument("--result", required=True)
    options = arguments.parse_args()
    rules = parse(options.expect)
    positives = [rule for rule in rules if not rule[0]]
    started = time.time()
    deadline = started + options.timeout
    while True:
        alerts = read(options.alerts, options.from_line, options.since)
        missing = [rule for rule in positives if not any(matches(a, rule[1], rule[2]) for a in alerts)]
        if not missing or time.time() > deadline:
            break
        time.sleep(1)
    waited = time.time() - started
    if not missing:
        time.sleep(options.settle)
        alerts = read(options.alerts, options.from_line, options.since)
    problems = [f"missing {rule[3]}" for rule in missing]
    for negative, kind, fields, line in rules:
        if negative:
            found = [a for a in alerts if matches(a, kind, fields)]
            if found:
                problems.append(f"unexpected {line[1:]}: {describe(found)}")
    verdict = "PASS" if not problems else "FAIL: " + "; ".join(problems) + f" (alerts seen: {describe(alerts)})"
    with open(options.result, "w") as result:
        result.write(verdict + "\n")
    if not positives:
        timing = f"nothing to wait for; watched {options.settle:.0f} s"
    elif missing:
        timing = f"gave up after {waited:.0f} s"
    else:
        timing = f"findings after {waited:.0f} s of at most {options.timeout:.0f}"
    print(f"  {verdict} ({timing})")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
