#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The VM matrix's summary, from each set-up's DATA lines (LOGDIR/SETUP.data,
each a record of the guest lib.sh's record(), read by its kind)
and run-vm.sh's splat and known-warning files: the bios/requests table, the
kill latencies, the stress table, and three checks that print PASS/FAIL
lines and set the exit status: every stress part of a kmemleak set-up
(LEAK_SETUPS) scanned for leaks, no fault outside the table's columns, and
the seeded XFS model's results the same on every kernel that ran it.

    tests/vm/matrix-summary.py LOGDIR SETUP...

tests/vm/matrix-summary-check.sh runs it on made-up data.
"""
import json, os, sys
logdir, setups = sys.argv[1], sys.argv[2:]
bad = False
counts, tests, latency, stress, models = {}, [], {}, {}, {}
for setup in setups:
    path = os.path.join(logdir, setup + ".data")
    for line in open(path) if os.path.exists(path) else []:
        rec = json.loads(line)
        kind = rec.get("kind")
        if kind == "kill-latency":
            latency[setup] = rec
        elif kind == "stress":
            stress.setdefault(setup, []).append(rec)
        elif kind == "xfs-model":
            models[setup] = {k: v for k, v in rec.items() if k not in ("kind", "kernel")}
        elif kind == "test-counts":
            if rec["test"] not in tests:
                tests.append(rec["test"])
            counts[(rec["test"], setup)] = f"{rec['bios']} / {rec['requests']}"
        else:
            print(f"FAIL vm/{setup}/data (a record of unknown kind {kind!r}: {line.strip()})")
            bad = True
cols = [s for s in setups if any((t, s) in counts for t in tests)]
if tests:
    print("\nbios / requests counted in the guests (block tracepoints):\n")
    print("| " + " | ".join(["zeroing on null_blk"] + cols) + " |")
    print("|---" + "|--:" * len(cols) + "|")
    for t in tests:
        print("| " + " | ".join([t] + [counts.get((t, s), "-") for s in cols]) + " |")
if latency:
    print("\nSIGKILL blkdiscard -z of a 64 MiB/s null_blk one second after its first write completed, seconds until it was gone;")
    print("the baseline, killed the same way in the same boot, is pmdzero -e aio with 16 x 1 MiB in flight:\n")
    for s in setups:
        if s in latency:
            rec = latency[s]
            line = f"  {s}: {', '.join(f'{x:.3f}' for x in rec['latency_s'])}"
            if "baseline_s" in rec:
                line += (f"; baseline {', '.join(f'{x:.3f}' for x in rec['baseline_s'])}"
                         f"; median ratio {rec['ratio']:.2f} (at most {rec['ratio_max']})")
            print(line)
if stress:
    # Splats: the lines run-vm.sh's check found in that boot's console log.
    print("\nstress and fault suite (tests/vm/guest/stress), per set-up:\n")
    # A part's cases are zeroings, except 050's, which are operations of
    # the XFS model; its faults are I/O errors injected (010) or SIGKILLs
    # of a zeroer with I/O in flight (030): each counted in its own column.
    print("| set-up | parts | zeroings | XFS model ops | bytes verified | I/O errors injected | SIGKILLs in flight | splats | known base-kernel warnings | leaks | corrupt bytes |")
    print("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for s in setups:
        if s not in stress:
            continue
        recs = stress[s]
        total = lambda k, parts=None, but=(): sum(r[k] for r in recs
                                                  if (parts is None or r["stress"] in parts) and r["stress"] not in but)
        leaks = [r["leaks"] for r in recs if r.get("leaks") is not None]
        spl = os.path.join(logdir, s + ".splats")
        splats = sum(1 for _ in open(spl)) if os.path.exists(spl) else "?"
        kw = os.path.join(logdir, s + ".known-warnings")
        known = open(kw).read().strip() if os.path.exists(kw) else "?"
        print(f"| {s} | {len(recs)} | {total('cases', but=('xfs-64k',))} | {total('cases', ('xfs-64k',))} "
              f"| {total('bytes_verified')} | {total('faults', ('device-errors',))} | {total('faults', ('exit-in-flight',))} "
              f"| {splats} | {known} | {sum(leaks) if leaks else 'not checked'} | {total('corrupt')} |")
        other = total('faults', but=('device-errors', 'exit-in-flight'))
        if other:
            print(f"FAIL vm/{s}/stress-columns ({other} faults from a part the table has no column for)")
            bad = True
    # Where the kernel has kmemleak, every part must have scanned.
    for s in os.environ.get("LEAK_SETUPS", "").split():
        unscanned = [r["stress"] for r in stress.get(s, []) if r.get("leaks") is None]
        if s in stress and unscanned:
            print(f"FAIL vm/{s}/leaks-scanned (no kmemleak scan in {', '.join(unscanned)})")
            bad = True
        elif s in stress:
            print(f"PASS vm/{s}/leaks-scanned (all {len(stress[s])} parts)")
if models:
    print("\n64 KiB-block XFS under the seeded workload (050-xfs-64k-model), per set-up:\n")
    for s, m in models.items():
        print(f"  {s}: " + ", ".join(f"{k}={v}" for k, v in m.items()))
    # The same seeds must give the same files and op counts on every kernel.
    if len(models) > 1:
        same = len({json.dumps(m, sort_keys=True) for m in models.values()}) == 1
        print(f"{'PASS' if same else 'FAIL'} vm/xfs-64k-model-same-on-{'-'.join(models)}")
        if not same:
            bad = True
sys.exit(1 if bad else 0)
