#!/usr/bin/python3
"""Stretch the idle stretches of a set of captures: shift every packet after a cut by one duration.

Lab recordings compress time (a router forgets a session after 5 s, keep-alives start after 7 s); production does
not (idle timeouts of 30-60 min, the first keep-alive after 2 h). This makes the real-scale version of a recording:
every packet later than the cut, in every file of the set (one file per host), gets the same shift, so the hosts'
captures stay aligned with each other and tshark still reads each connection as one. Nothing but the timestamps
changes: file headers, record lengths and packet bytes are copied as they are (pcap in micro- or nanoseconds, either
byte order; pcapng enhanced packet and interface statistics blocks).

The cut (one of):
  --after-frame FILE:N    after frame N of FILE (tshark's numbering of that file): every packet of the set stamped
                          later than that frame moves
  --at TIME               after a time: epoch seconds (1796294690.5), or +DUR after the set's first packet
  --first-gap-over DUR    at the first silence longer than DUR among the packets of --flow (all kept packets
                          without it), all files merged by time: the packets after that silence move
  --every-gap-over DUR    at every such silence (each gets the shift; later packets add up the shifts before them)
The shift (one of):
  --by DUR                add DUR to every packet after the cut
  --gap-to DUR            make the silence after the cut DUR long (the cut to the next packet of --flow)
DUR is 250ms, 75s, 15m, 2h, 1h30m or plain seconds.

--keep FILTER keeps only the frames that match a Wireshark display filter (say, the one connection of interest, so
that others interleaved with it do not move with it; note that a host's file then ends with its last kept frame,
and a replay takes the end of a host's file for the end of its sensor). tshark picks the frames, this tool copies
them. More cuts: run it again on its output. Writes each FILE to OUTDIR under its own name, and OUTDIR/stretch.json:
the command, sources, kept frames, every cut with the silence before and after.

  deploy/captures/stretch.py --first-gap-over 1s --gap-to 2h -o /tmp/06-2h \
      deploy/samples/06-idle-session-dropped/client.pcap deploy/samples/06-idle-session-dropped/server.pcap
"""
import argparse
import json
import os
import re
import shlex
import struct
import subprocess
import sys
from decimal import Decimal

NS = 1_000_000_000


class Failure(Exception):
    pass


def duration_ns(text):
    """'250ms', '75s', '15m', '2h', '1h30m', '1.5' (seconds) -> integer nanoseconds."""
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return int(Decimal(text) * NS)
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|us|h|m|s)", text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise Failure(f"not a duration: {text!r} (say 250ms, 75s, 15m, 2h, 1h30m)")
    unit = {"h": 3600 * NS, "m": 60 * NS, "s": NS, "ms": 1_000_000, "us": 1_000}
    return sum(int(Decimal(n) * unit[u]) for n, u in parts)


def seconds(ns):
    return f"{Decimal(ns) / NS:f}"


# --- reading and writing records -----------------------------------------------------------------------------------
# Every timestamped record (a packet; in pcapng also a statistics block) keeps its raw bytes; stamping writes the new
# timestamp into them and touches nothing else.

class Record:
    def __init__(self, raw, ts, packet, stamp):
        self.raw, self.ts, self.packet, self._stamp = raw, ts, packet, stamp

    def stamp(self, ts):
        self._stamp(self.raw, ts)
        self.ts = ts


def read_pcap(data):
    order, unit = PCAP_MAGICS[data[:4]]

    def stamp(raw, ts):
        if ts % unit:
            raise Failure("a shift finer than the file's microsecond resolution")
        struct.pack_into(order + "II", raw, 0, ts // NS, ts % NS // unit)

    records, pos = [Record(bytearray(data[:24]), None, False, None)], 24
    while pos + 16 <= len(data):
        sec, frac, incl = struct.unpack_from(order + "III", data, pos)
        records.append(Record(bytearray(data[pos:pos + 16 + incl]), sec * NS + frac * unit, True, stamp))
        pos += 16 + incl
    if pos != len(data):
        raise Failure("the last pcap record is truncated")
    return records


def read_pcapng(data):
    """Enhanced (6) and obsolete (2) packet blocks and statistics blocks (5) carry a timestamp at byte 12, in the
    resolution of their interface (if_tsresol of its description block); simple packet blocks (3) carry none."""
    records, resolutions, order, pos = [], [], "<", 0
    while pos + 12 <= len(data):
        if data[pos:pos + 4] == b"\x0a\x0d\x0d\x0a":
            order, resolutions = ("<" if data[pos + 8:pos + 12] == b"\x4d\x3c\x2b\x1a" else ">"), []
        btype, length = struct.unpack_from(order + "II", data, pos)
        raw = bytearray(data[pos:pos + length])
        pos += length
        if btype == 1:
            resolutions.append(if_tsresol(raw, order))
        if btype == 3:
            raise Failure("a simple packet block has no timestamp to shift")
        if btype not in (2, 5, 6):
            records.append(Record(raw, None, False, None))
            continue
        iface = struct.unpack_from(order + ("H" if btype == 2 else "I"), raw, 8)[0]
        per_second = resolutions[iface]
        high, low = struct.unpack_from(order + "II", raw, 12)

        def stamp(raw, ts, order=order, per_second=per_second):
            ticks, rest = divmod(ts * per_second, NS)
            if rest:
                raise Failure("a shift finer than an interface's timestamp resolution")
            struct.pack_into(order + "II", raw, 12, ticks >> 32, ticks & 0xffffffff)
        records.append(Record(raw, ((high << 32) | low) * NS // per_second, btype != 5, stamp))
    return records


def if_tsresol(block, order):
    pos = 16
    while pos + 4 <= len(block) - 4:
        code, length = struct.unpack_from(order + "HH", block, pos)
        if code == 0:
            break
        if code == 9:
            value = block[pos + 4]
            return 2 ** (value & 0x7f) if value & 0x80 else 10 ** value
        pos += 4 + (length + 3) // 4 * 4
    return 1_000_000


PCAP_MAGICS = {b"\xd4\xc3\xb2\xa1": ("<", 1000), b"\xa1\xb2\xc3\xd4": (">", 1000),
               b"\x4d\x3c\xb2\xa1": ("<", 1), b"\xa1\xb2\x3c\x4d": (">", 1)}


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] in PCAP_MAGICS:
        return read_pcap(data)
    if data[:4] == b"\x0a\x0d\x0d\x0a":
        return read_pcapng(data)
    raise Failure(f"{path}: neither pcap nor pcapng")


def write(path, records, keep):
    """Every record but the packets not kept (keep: 0-based frame numbers)."""
    with open(path, "wb") as out:
        frame = 0
        for record in records:
            if record.packet:
                frame += 1
                if frame - 1 not in keep:
                    continue
            out.write(record.raw)


def matching_frames(path, display_filter):
    """Indexes (0-based) of the frames of a file that match a display filter, by tshark."""
    run = subprocess.run(["tshark", "-n", "-r", path, "-Y", display_filter, "-T", "fields", "-e", "frame.number"],
                         capture_output=True, text=True)
    if run.returncode != 0:
        raise Failure(f"tshark on {path}: {run.stderr.strip()}")
    return {int(line) - 1 for line in run.stdout.split()}


# --- the cut -------------------------------------------------------------------------------------------------------

def cuts(args, files, names, packets, timeline):
    """[(cut time, shift)]: every packet later than a cut moves by that cut's shift (and by earlier cuts' shifts)."""
    if args.after_frame or args.at:
        if args.after_frame:
            file, _, number = args.after_frame.rpartition(":")
            if file not in files and file not in names:
                raise Failure(f"--after-frame names {file!r}, which is not one of the files")
            frames = packets[files.index(file) if file in files else names.index(file)]
            if not 1 <= int(number) <= len(frames):
                raise Failure(f"{file} has no frame {number}")
            at = [frames[int(number) - 1].ts]
        elif args.at.startswith("+"):
            at = [timeline[0] + duration_ns(args.at[1:])]
        else:
            at = [int(Decimal(args.at) * NS)]
    else:
        over = args.first_gap_over or args.every_gap_over
        at = [a for a, b in zip(timeline, timeline[1:]) if b - a > over]
        if not at:
            raise Failure(f"no silence longer than {seconds(over)} s in the flow")
        at = at[:1] if args.first_gap_over else at
    result = []
    for cut in at:
        later = [t for t in timeline if t > cut]
        if not later:
            raise Failure(f"nothing after the cut at {seconds(cut)}")
        gap = later[0] - cut
        shift = args.by if args.by is not None else args.gap_to - gap
        if shift < 0:
            raise Failure(f"the silence after {seconds(cut)} is {seconds(gap)} s: "
                          f"a negative shift would reorder packets")
        result.append((cut, gap, shift))
    return result


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0], epilog=__doc__.split("\n", 2)[2],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    cut = parser.add_mutually_exclusive_group(required=True)
    cut.add_argument("--after-frame", metavar="FILE:N")
    cut.add_argument("--at", metavar="TIME")
    cut.add_argument("--first-gap-over", metavar="DUR", type=duration_ns)
    cut.add_argument("--every-gap-over", metavar="DUR", type=duration_ns)
    shift = parser.add_mutually_exclusive_group(required=True)
    shift.add_argument("--by", metavar="DUR", type=duration_ns)
    shift.add_argument("--gap-to", metavar="DUR", type=duration_ns)
    parser.add_argument("--keep", metavar="FILTER", help="keep only the frames that match this display filter")
    parser.add_argument("--flow", metavar="FILTER", help="the packets whose silences the gap options measure")
    parser.add_argument("-o", "--out", required=True, metavar="OUTDIR")
    parser.add_argument("files", nargs="+", metavar="FILE")
    args = parser.parse_args(argv)

    names = [os.path.basename(f) for f in args.files]
    if len(set(names)) != len(names):
        raise Failure("two files of the set have one name")
    records = [read(f) for f in args.files]
    packets = [[r for r in rs if r.packet] for rs in records]
    kept = [matching_frames(f, args.keep) if args.keep else set(range(len(p))) for f, p in zip(args.files, packets)]
    flow = [matching_frames(f, args.flow) & k if args.flow else k for f, k in zip(args.files, kept)]
    timeline = sorted(p[i].ts for p, f in zip(packets, flow) for i in f)
    if not timeline:
        raise Failure("no packet left to stretch")
    plan = cuts(args, args.files, names, packets, timeline)

    def shifted(ts):
        return ts + sum(shift for cut, _, shift in plan if ts > cut)

    for path, name in zip(args.files, names):
        if os.path.abspath(os.path.join(args.out, name)) == os.path.abspath(path):
            raise Failure(f"{path} would be overwritten: name another OUTDIR")
    os.makedirs(args.out, exist_ok=True)
    report = {"tool": "deploy/captures/stretch.py", "command": shlex.join(["deploy/captures/stretch.py"] + argv),
              "keep": args.keep, "flow": args.flow,
              "cuts": [{"after_epoch": seconds(cut), "silence_s": seconds(gap), "shift_s": seconds(shift),
                        "silence_now_s": seconds(gap + shift)} for cut, gap, shift in plan],
              "files": []}
    for path, name, rs, ps, keep in zip(args.files, names, records, packets, kept):
        out = os.path.join(args.out, name)
        moved = sum(1 for i in keep if ps[i].ts > plan[0][0])
        for record in rs:
            if record.ts is not None:
                record.stamp(shifted(record.ts))
        write(out, rs, keep)
        report["files"].append({"name": name, "source": path, "frames_in_source": len(ps),
                                "kept_source_frames": compact(sorted(i + 1 for i in keep)), "kept": len(keep),
                                "shifted": moved})
        print(f"{out}: {len(keep)} of {len(ps)} frames kept, {moved} of them shifted", file=sys.stderr)
    with open(os.path.join(args.out, "stretch.json"), "w") as f:
        json.dump(report, f, indent=1)
        f.write("\n")
    for cut, gap, shift in plan:
        print(f"after {seconds(cut)}: a silence of {seconds(gap)} s, now {seconds(gap + shift)} s", file=sys.stderr)


def compact(numbers):
    """[1, 2, 3, 7] -> "1-3,7" """
    runs = []
    for n in numbers:
        if runs and runs[-1][1] == n - 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    return ",".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except Failure as e:
        print(f"stretch.py: {e}", file=sys.stderr)
        sys.exit(2)
