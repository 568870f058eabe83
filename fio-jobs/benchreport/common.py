# SPDX-License-Identifier: GPL-2.0-or-later
"""What every step shares: the policy (fio-jobs/policy), kernels, the
figures' units and the formatting of numbers."""
import os


def _policy():
    """fio-jobs/policy, NAME=VALUE lines, as numbers."""
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "policy")
    out = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                name, _, value = line.partition("=")
                out[name] = float(value) if "." in value else int(value)
    return out


POLICY = _policy()
GIB = 1 << 30
MIB = 1 << 20
KERNELS = ("stock", "patched")
# Who zeroes, as each cost, counts and wall record says ("zeroing"): the
# kernel (the path the series changes) or writes from a user buffer.
ZEROING = ("kernel", "write")
AGREEMENT_LIMIT_PCT = POLICY["agreement_limit_pct"]
SAME_OP_LIMIT_PCT = POLICY["same_operation_limit_pct"]
MIN_COST_BOOTS = POLICY["cost_boots"]
MIN_WALL_BOOTS = POLICY["wall_boots"]
COUNT_FIELDS = ("bios", "requests", "splits", "merges", "bio_bytes")
# fio's completion-latency percentiles a latency record carries (clat_ns).
LATENCY_PCTS = ("p50", "p99", "p99_9")
METHODS = {
    "syscall": "time inside the tool around its BLKZEROOUT/fallocate calls only",
    "engine": "pmdzero's own timing around the zeroing operation",
    "process": "the whole command (mkfs, a fio run)",
    "fio": "fio's own bandwidth and its usr + sys CPU",
    "self": "the command's own timing of its measured part, set-up left out (dm-thin: the fio run)",
    "perf": "perf stat -a: the instructions of every CPU while the command ran (a running kernel, fio-jobs/bench-host.sh)",
}
# A boot's mode: a cost or wall boot of the guest bench, or a run on a
# running kernel (fio-jobs/bench-host.sh), which carries cost and wall
# records both and is compared one run against one.
MODES = ("cost", "wall", "host")


def host_runs(boots):
    """A comparison of two runs on running kernels (bench-host.sh
    --compare), not of guest boots."""
    return bool(boots) and all(b.get("mode") == "host" for b in boots)


class Problems(list):
    def add(self, msg):
        if msg not in self:
            self.append(msg)


def is_nullb(row):
    """A null_blk row, as its records say (device_kind): the kernel's work
    alone, no device time."""
    return row["device_kind"] == "null_blk"


def is_user_write(row):
    """Writes of a user buffer (the fio jobs, pmdzero's write engines), as
    the records say; everything else is zeroing done by the kernel."""
    return row.get("zeroing") == "write"


def per_gib(value, nbytes):
    v = value * GIB / nbytes
    return int(v) if float(v).is_integer() else round(v, 1)


def fnum(v, digits=1):
    if v is None:
        return "-"
    if float(v).is_integer():
        return str(int(v))
    return f"{v:.{digits}f}"


def fm(v):
    """Instructions per GiB in millions, three significant digits below 100."""
    if v is None:
        return "-"
    m = v / 1e6
    return f"{m:.2f}" if m < 10 else f"{m:.1f}"


def short_scenario(name):
    """A figure label short enough to sit under one bar pair."""
    name = name.replace("pmdzero-", "").replace("-vectored", " vec")
    if name.startswith("fio-"):
        # fio-uring-huge-fixed-8m: "fio huge-fixed 8m"
        body, _, bs = name[4:].rpartition("-")
        return f"fio {body.replace('uring-', '')} {bs}"
    return name.replace("blkdiscard-z", "blkdiscard -z")


def fx(r):
    if r is None:
        return "-"
    return f"{r:.1f}x" if r >= 10 else f"{r:.2f}x"


def fs(v):
    return "-" if v is None else f"{v:.2f}"


def span(values, fmt):
    """'a' or 'a–b' over the values, formatted."""
    lo, hi = fmt(min(values)), fmt(max(values))
    return lo if lo == hi else f"{lo}–{hi}"
