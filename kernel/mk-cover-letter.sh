#!/bin/bash
# Regenerate kernel/patches/0000-cover-letter.patch: the shortlog and
# diffstat from the series applied to the pristine tree, the text from
# kernel/cover-letter.in, the tables from results/latest/summary.md and
# summary.json and results/zero-bio-size/table.txt.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
summary=$top/results/latest/summary.md
[ -f "$summary" ] || { echo "mk-cover-letter: run make bench first ($summary missing)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

tar -xJf /usr/src/linux-source-6.12.tar.xz -C "$tmp" --strip-components=1
cd "$tmp"
git init -q
git add -f -A . >/dev/null
git -c user.name=base -c user.email=base@localhost commit -q -m base
base=$(git rev-parse HEAD)
while read -r p; do
	case $p in ''|'#'*) continue ;; esac
	git am -q "$top/kernel/patches/$p"
done < "$top/kernel/series"
git format-patch -q --cover-letter -o "$tmp/out" "$base"

subject=$(sed -n 's/^SUBJECT: //p' "$top/kernel/cover-letter.in")
python3 - "$tmp/out/0000-cover-letter.patch" "$top/kernel/cover-letter.in" "$summary" "$subject" <<'PY'
import json, os, re, statistics, sys, textwrap
cover, template, summary, subject = sys.argv[1:5]
text = open(template).read().split("\n", 2)[2]   # drop SUBJECT line + blank
md = open(summary).read().splitlines()
# The markdown tables, blank line between; the per-job fio table is too
# long for a cover letter and is summed up in one sentence instead.
blocks, cur = [], []
for line in md + [""]:
    if line.startswith("|"):
        cur.append(line)
    elif cur:
        blocks.append(cur)
        cur = []
tables = [b for b in blocks if not b[0].startswith("| fio job")]
text = text.replace("@TABLE@", "\n\n".join("\n".join(b) for b in tables))
# The bio-size experiment (kernel/experiments/zero-bio-size), as run.sh
# wrote it: text tables that already fit 72 columns.
zerobio = os.path.join(os.path.dirname(os.path.dirname(summary)), "zero-bio-size", "table.txt")
if not os.path.exists(zerobio):
    sys.exit(f"mk-cover-letter: {zerobio} missing: run kernel/experiments/zero-bio-size/run.sh")
text = text.replace("@ZEROBIO@", open(zerobio).read().rstrip("\n"))
data = json.load(open(os.path.join(os.path.dirname(summary), "summary.json")))
fio = [c for c in data["comparisons"] if c["scenario"].startswith("fio-")
       and c["mib_per_s_ratio"] is not None]
if fio:
    r = sorted(c["mib_per_s_ratio"] for c in fio)
    same = sum(1 for c in fio if c["bios_per_gib_ratio"] == 1)
    devices = sorted({c["device"] for c in fio})
    sentence = (f"The {len(fio)} fio zero-write jobs (user buffers: io_uring and libaio with"
                f" small-page and huge-page buffers, psync; 128k to 8m blocks; on"
                f" {', '.join(devices)}) do not touch the zero folio: patched/stock fio"
                f" bandwidth has a median ratio of {statistics.median(r):.2f} (range"
                f" {r[0]:.2f} to {r[-1]:.2f}), and {same} of {len(fio)} issue"
                f" exactly the same bios.")
else:
    sentence = "(no fio jobs in this run)"
text = text.replace("@FIO@", textwrap.fill(sentence, 72, break_on_hyphens=False))

# The XFS sentence and the set-up, from the same run.
rows = {(r["scenario"], r["kernel"]): r for r in data["scenarios"]}
def bios(scen, kernel):
    r = rows.get((scen, kernel))
    return r["bios"] if r else None
mk = (bios("mkfs-xfs-64k", "stock"), bios("mkfs-xfs-64k", "patched"))
dio = (bios("xfs-64k-subblock-dio", "stock"), bios("xfs-64k-subblock-dio", "patched"))
xfs = []
if None not in mk:
    xfs.append(f"mkfs.xfs -b size=64k issues {mk[0]} bios on stock and {mk[1]} patched,"
               " the difference being its log, which it zeroes through"
               " blkdev_issue_zeroout().")
if None not in dio:
    same = f"the same bios on both ({dio[0]})" if dio[0] == dio[1] else \
        f"different bios ({dio[0]} stock, {dio[1]} patched)"
    xfs.append(f"Sub-block O_DIRECT writes on the mounted file system issue {same}:"
               " iomap_dio_zero() needs less"
               " than one 64 KiB block per write, one bio per zeroed tail either way.")
def fill_in(text, values):
    """Replace each mark in values and re-wrap the paragraphs holding one to
    72 columns, keeping two spaces after a full stop as the template has
    them (a template line that ends a sentence counts as two spaces)."""
    paras = text.split("\n\n")
    for i, para in enumerate(paras):
        if not any(mark in para for mark in values):
            continue
        for mark, value in values.items():
            para = para.replace(mark, value)
        para = re.sub(r"([.!?])\n", r"\1  ", para).replace("\n", " ")
        tokens = re.split(r"( +)", para.strip())
        lines, line = [], tokens[0]
        for gap, word in zip(tokens[1::2], tokens[2::2]):
            gap = "  " if len(gap) > 1 and re.search(r"[.!?][)\"']?$", line) else " "
            if len(line) + len(gap) + len(word) > 72:
                lines.append(line)
                line = word
            else:
                line += gap + word
        paras[i] = "\n".join(lines + [line])
    return "\n\n".join(paras)
marks = {"@XFS@": "  ".join(xfs) or "(no XFS scenarios in this run)"}
# How far apart the kernels land when they do the same block I/O: the
# yardstick for every MiB/s ratio in the table (summarize.py computes it).
noise = data.get("noise")
if noise:
    by_dev = {}
    for row in noise["rows"]:
        scen, _, dev = row.partition(" on ")
        by_dev.setdefault(dev, []).append(scen)
    where = "; ".join(f"{', '.join(s)} on {d}" for d, s in by_dev.items())
    sentence = (f"In the {len(noise['rows'])} rows where both kernels issue exactly the same"
                f" bios and requests ({where}), the patched/stock MiB/s ratio runs from"
                f" {noise['mib_per_s_ratio_min']:.2f} to {noise['mib_per_s_ratio_max']:.2f},"
                f" median {noise['mib_per_s_ratio_median']:.2f}: that is the boot-to-boot"
                " noise of this set-up, against which the other ratios are to be read.")
else:
    sentence = "(no row with the same bios on both kernels: no noise estimate)"
marks["@NOISE@"] = sentence
host = {}
hostfile = os.path.join(os.path.dirname(summary), "raw", "host")
if os.path.exists(hostfile):
    for line in open(hostfile):
        k, _, v = line.partition(": ")
        host[k] = v.strip()
accel = host.get("accel", "an unrecorded accelerator").upper()
where = f" on {host['host_cpus']} host CPUs ({host['host_cpu']})" if "host_cpu" in host else ""
marks["@HOST@"] = f"QEMU ({accel}, 2 vCPUs){where}"
text = fill_in(text, marks)
c = open(cover).read()
c = c.replace("*** SUBJECT HERE ***", subject.split("] ", 1)[1])
c = c.replace("*** BLURB HERE ***", text.rstrip("\n"))
open(cover, "w").write(c)
PY
cp "$tmp/out/0000-cover-letter.patch" "$top/kernel/patches/0000-cover-letter.patch"
echo "mk-cover-letter: wrote kernel/patches/0000-cover-letter.patch" >&2
