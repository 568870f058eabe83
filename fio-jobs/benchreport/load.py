# SPDX-License-Identifier: GPL-2.0-or-later
"""Load: RAW_DIR's records, boots and host description, each checked; the
rows of a kind of record."""
import json
import os

from .common import COUNT_FIELDS, KERNELS, LATENCY_PCTS, METHODS, MODES, ZEROING


def read_input(raw, problems):
    host = {}
    hostfile = os.path.join(raw, "host")
    if os.path.exists(hostfile):
        with open(hostfile) as f:
            for line in f:
                k, sep, v = line.partition(":")
                if sep and k.strip():
                    host[k.strip()] = v.strip()
    else:
        problems.add(f"{hostfile} is missing")

    boots = []
    bootsfile = os.path.join(raw, "boots.json")
    try:
        with open(bootsfile) as f:
            boots = json.load(f)
        if not isinstance(boots, list):
            raise ValueError("not a list")
    except (OSError, ValueError) as e:
        problems.add(f"{bootsfile}: {e}")
        boots = []
    by_boot = {}
    for b in boots:
        name = b.get("boot")
        if name in by_boot:
            problems.add(f"boots.json lists boot {name} twice")
        if b.get("kernel") not in KERNELS:
            problems.add(f"boots.json: boot {name} has kernel {b.get('kernel')!r}")
        if b.get("mode") not in MODES:
            problems.add(f"boots.json: boot {name} has mode {b.get('mode')!r}")
        if not isinstance(b.get("order"), int):
            problems.add(f"boots.json: boot {name} has no integer order")
        by_boot[name] = b
    boots = sorted(by_boot.values(), key=lambda b: b.get("order") if isinstance(b.get("order"), int) else 1 << 30)

    records = []
    datafile = os.path.join(raw, "all.data")
    try:
        with open(datafile) as f:
            lines = f.readlines()
    except OSError as e:
        problems.add(f"{datafile}: {e}")
        lines = []
    seen = set()
    for n, line in enumerate(lines, 1):
        line = line.strip()
        if not line:
            continue
        where = f"all.data line {n}"
        try:
            rec = json.loads(line)
        except ValueError as e:
            problems.add(f"{where}: not JSON ({e})")
            continue
        kind, boot, kernel = rec.get("kind"), rec.get("boot"), rec.get("kernel")
        need = {"cost": ("device", "scenario", "zeroing", "bytes", "ns", "method"),
                "counts": ("device", "scenario", "zeroing", "bytes") + COUNT_FIELDS,
                "wall": ("device", "scenario", "zeroing", "bytes", "runs"),
                "kill": ("device", "scenario", "latency_s"),
                "latency": ("device", "scenario", "zeroing", "bytes", "clat_ns", "ios"),
                "meminfo": ("mem_total_kib", "mem_available_kib")}.get(kind)
        if need is None:
            problems.add(f"{where}: unknown kind {kind!r}")
            continue
        missing = [k for k in need if k not in rec]
        if missing:
            problems.add(f"{where}: {kind} record without {', '.join(missing)}")
            continue
        if "zeroing" in need and rec["zeroing"] not in ZEROING:
            problems.add(f"{where}: zeroing {rec['zeroing']!r} is neither {' nor '.join(ZEROING)}")
            continue
        if kernel not in KERNELS:
            problems.add(f"{where}: kernel {kernel!r} is neither stock nor patched")
            continue
        b = by_boot.get(boot)
        if b is None:
            problems.add(f"{where}: boot {boot!r} is not in boots.json")
            continue
        if b.get("kernel") != kernel:
            problems.add(f"{where}: kernel {kernel} but boots.json says boot {boot} ran {b.get('kernel')}")
            continue
        if kind in ("cost", "wall") and b.get("mode") not in (kind, "host"):
            problems.add(f"{where}: a {kind} record from {b.get('mode')} boot {boot}")
            continue
        if "bytes" in need and not (isinstance(rec["bytes"], int) and rec["bytes"] > 0):
            problems.add(f"{where}: bytes must be a positive integer")
            continue
        if kind == "wall":
            runs = rec["runs"]
            if not runs or any("wall_ns" not in r or "cpu_ns" not in r or r["wall_ns"] <= 0 for r in runs):
                problems.add(f"{where}: wall record needs runs with wall_ns > 0 and cpu_ns")
                continue
        if kind == "kill" and not rec["latency_s"]:
            problems.add(f"{where}: kill record with no tries")
            continue
        if kind == "latency" and not (isinstance(rec["clat_ns"], dict)
                                      and all(isinstance(rec["clat_ns"].get(p), int) for p in LATENCY_PCTS)):
            problems.add(f"{where}: latency record needs clat_ns with {', '.join(LATENCY_PCTS)}")
            continue
        if kind == "cost" and rec["method"] not in METHODS:
            problems.add(f"{where}: unknown method {rec['method']!r}")
            continue
        key = (kind, rec.get("device"), rec.get("scenario"), boot)
        if key in seen:
            problems.add(f"{where}: a second {kind} record of {rowname(rec.get('device'), rec.get('scenario'))} from boot {boot}")
            continue
        seen.add(key)
        records.append(rec)
    with_data = {r["boot"] for r in records}
    for b in boots:
        if b.get("boot") not in with_data:
            problems.add(f"boot {b.get('boot')} ({b.get('kernel')}, {b.get('mode')}) left no record in all.data")
    return records, boots, host


def rowname(device, scenario):
    return f"{scenario} on {device}"


def rows_of(records, kind):
    """{(device, scenario): {kernel: {boot: record}}}, devices then
    scenarios in the order they first appear in all.data."""
    dev_order, scen_order = {}, {}
    for r in records:
        if "device" in r:
            dev_order.setdefault(r["device"], len(dev_order))
            scen_order.setdefault(r["scenario"], len(scen_order))
    rows = {}
    for r in records:
        if r["kind"] == kind:
            rows.setdefault((r["device"], r["scenario"]), {k: {} for k in KERNELS})[r["kernel"]][r["boot"]] = r
    keys = sorted(rows, key=lambda k: (dev_order[k[0]], scen_order[k[1]]))
    return [(k, rows[k]) for k in keys]


def boot_order(boots):
    return {b["boot"]: i for i, b in enumerate(boots)}


def sorted_boots(d, order):
    return sorted(d, key=lambda b: order.get(b, 1 << 30))


def new_row(kind, key, by_kernel, problems):
    """The head every analysed row starts with (device, its label and
    kind, scenario, whether it is the headline, and bytes when the records
    have them), after checking that both
    kernels measured it."""
    for k in KERNELS:
        if not by_kernel[k]:
            problems.add(f"{kind} row {rowname(*key)}: no {k} record (measured on one kernel only)")
    row = {"device": key[0], "scenario": key[1]}
    first = next(r for k in KERNELS for r in by_kernel[k].values())
    # What the scenario and the device are, as the bench's guest side
    # (fio-jobs/scenarios/lib.sh, row_fields) describes them.
    for field, default in (("device_label", key[0]), ("device_kind", "unknown"), ("headline", False)):
        seen = {json.dumps(r.get(field)) for k in KERNELS for r in by_kernel[k].values()}
        if "null" in seen:
            problems.add(f"{kind} row {rowname(*key)}: a record without {field}")
        elif len(seen) > 1:
            problems.add(f"{kind} row {rowname(*key)}: records disagree on {field}")
        row[field] = first.get(field, default)
    if "bytes" in first:
        row["bytes"] = first["bytes"]
    if "zeroing" in first:
        who = {r["zeroing"] for k in KERNELS for r in by_kernel[k].values()}
        if len(who) > 1:
            problems.add(f"{kind} row {rowname(*key)}: records disagree on who zeroes ({', '.join(sorted(who))})")
        row["zeroing"] = first["zeroing"]
    return row
