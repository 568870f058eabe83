#!/bin/bash
# Regenerate a series' 0000-cover-letter.patch: the shortlog and diffstat
# from the series applied to its pristine base, the text from the
# cover-letter.in beside the series file.
#
#   kernel/mk-cover-letter.sh [--base B]
#
# The 6.12 series (default): the verdict and the tables from
# results/latest/summary.json (make bench), results/zero-bio-size/table.txt
# and results/memcost/table.txt (kernel/experiments/memcost/run.sh).
# --base 7.2, the mainline series: the tables from
# results/upstream/summary.json (make bench-upstream), filled in by
# kernel/mainline/cover-letter.py.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
base_args=()
[ "${1:-}" != --base ] || { base_args=(--base "$2"); shift 2; }
[ $# = 0 ] || { echo "usage: kernel/mk-cover-letter.sh [--base B]" >&2; exit 2; }
base=$("$top/kernel/base.sh" "${base_args[@]}" --field base)
default_base=$("$top/kernel/base.sh" --list | head -n1)
series_file=$top/kernel/$("$top/kernel/base.sh" "${base_args[@]}" --field series)
series_dir=$(dirname "$series_file")
if [ "$base" = "$default_base" ]; then
	summary=$top/results/latest/summary.md
	need="make bench"
else
	summary=$top/results/upstream/summary.md
	need="make bench-upstream"
fi
[ -f "$summary" ] || { echo "mk-cover-letter: run $need first ($summary missing)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

tarball=$("$top/kernel/base.sh" "${base_args[@]}" tarball) || exit 1
tar -xJf "$tarball" -C "$tmp" --strip-components=1
cd "$tmp"
git init -q
git add -f -A . >/dev/null
git -c user.name=base -c user.email=base@localhost commit -q -m base
base_commit=$(git rev-parse HEAD)
while read -r p; do
	case $p in ''|'#'*) continue ;; esac
	git am -q "$series_dir/patches/$p"
done < "$series_file"
subject=$(sed -n 's/^SUBJECT: //p' "$series_dir/cover-letter.in")
# The series' version, as the subject names it: "[PATCH v3 0/7] ..." -> "PATCH v3".
prefix=$(sed -n 's/^\[\(.*\) 0\/[0-9]*\] .*/\1/p' <<< "$subject")
[ -n "$prefix" ] || { echo "mk-cover-letter: cover-letter.in's SUBJECT is not [PREFIX 0/N] ..." >&2; exit 1; }
git format-patch -q --cover-letter --subject-prefix="$prefix" -o "$tmp/out" "$base_commit"
if [ "$base" != "$default_base" ]; then
	python3 "$series_dir/cover-letter.py" "$tmp/out/0000-cover-letter.patch" "$series_dir/cover-letter.in" \
		"$summary" "$subject"
	cp "$tmp/out/0000-cover-letter.patch" "$series_dir/patches/0000-cover-letter.patch"
	echo "mk-cover-letter: wrote ${series_dir#"$top"/}/patches/0000-cover-letter.patch" >&2
	exit 0
fi

python3 - "$tmp/out/0000-cover-letter.patch" "$top/kernel/cover-letter.in" "$summary" "$subject" <<'PY'
import json, os, re, sys, textwrap
cover, template, summary, subject = sys.argv[1:5]
text = open(template).read().split("\n", 2)[2]   # drop SUBJECT line + blank
res = os.path.dirname(summary)
data = json.load(open(os.path.join(res, "summary.json")))
host = data.get("host", {})

def table(head, rows):
    """A plain-text table: first column left-aligned, the others right."""
    cells = [head] + rows
    w = [max(len(r[i]) for r in cells) for i in range(len(head))]
    fmt = lambda r: "  ".join(c.ljust(w[0]) if i == 0 else c.rjust(w[i])
                              for i, c in enumerate(r)).rstrip()
    out = [fmt(head), "  ".join("-" * x for x in w)] + [fmt(r) for r in rows]
    assert max(map(len, out)) <= 72, "a cover-letter table is wider than 72 columns"
    return "\n".join(out)

def num(v, digits=1):
    return f"{v:.{digits}f}" if isinstance(v, float) and v != int(v) else f"{int(v)}"

# Cost and counts of the kernel's zeroing, per null_blk set-up: the
# headline scenario (blkdiscard -z), as the bench's records say.
def headline_nullb(c):
    return c["headline"] and c["device_kind"] == "null_blk"

counts = {(c["device"], c["scenario"]): c for c in data["counts"]}
rows, agree = [], []
for c in data["cost"]:
    if not headline_nullb(c):
        continue
    k = counts.get((c["device"], c["scenario"]))
    s, p = c["stock"], c["patched"]
    agree += [s["agreement_pct"], p["agreement_pct"]]
    rows.append([c["device_label"].replace("null_blk ", ""),
                 f"{s['mean'] / 1e6:.1f}", f"{p['mean'] / 1e6:.2f}", f"{c['ratio']:.1f}x",
                 f"{num(k['stock']['per_gib']['bios'])} / {num(k['patched']['per_gib']['bios'])}",
                 f"{num(k['stock']['per_gib']['requests'])} / {num(k['patched']['per_gib']['requests'])}"])
if not rows:
    sys.exit("mk-cover-letter: no headline cost rows on null_blk in summary.json")
cost = table(["null_blk", "stock", "patched", "ratio", "bios/GiB", "requests/GiB"], rows)
# The other tools on the default set-up, one line each.
USERS = ("nvmet-", "ext4-", "fscrypt-")
others = [c for c in data["cost"] if c["device"] == "nullb-default" and not c["headline"]
          and not c["scenario"].startswith(("dm-thin-",) + USERS)]
if others:
    cost += "\n\n" + table(["null_blk default, tool", "M instr/GiB", "patched", "ratio"],
                           [[c["scenario"], f"{c['stock']['mean'] / 1e6:.1f}",
                             f"{c['patched']['mean'] / 1e6:.2f}", f"{c['ratio']:.2f}x"]
                            for c in others])
xfs = [c for c in data["cost"] if c["scenario"].startswith(("mkfs-xfs", "xfs-"))]
if xfs:
    cost += "\n\n" + table(["XFS, 64 KiB blocks", "M instr/GiB", "patched", "ratio"],
                           [[c["scenario"], f"{c['stock']['mean'] / 1e6:.1f}",
                             f"{c['patched']['mean'] / 1e6:.1f}", f"{c['ratio']:.2f}x"]
                            for c in xfs])
# dm-thin provisioning (scenario 060, patch 8), per GiB provisioned.
thin = [c for c in data["cost"] if c["scenario"].startswith("dm-thin-")]
dmthin = table(["dm-thin, M instr/GiB", "stock", "patched", "ratio"],
               [[c["scenario"].replace("dm-thin-", "").replace("-skip-zeroing", ", no zeroing"),
                 f"{c['stock']['mean'] / 1e6:.1f}", f"{c['patched']['mean'] / 1e6:.1f}",
                 f"{c['ratio']:.3f}x"] for c in thin]) if thin else \
    "(not in this benchmark run, which predates scenario 060: patch 8's\nmessage has the figures, measured by hand with the same scenario)"
# The other zeroing users (scenarios 100 and 110): NVMe-oF's target,
# ext4, fscrypt, with the counts on the null_blk (the target's, for
# nvmet), rounded to whole bios and requests.
def user_name(c):
    n = c["scenario"].replace("-blkdiscard-z", "").replace("-zeroout", "")
    return f"{n}, {c['device_label'].replace('null_blk ', '')}" if n == "nvmet" else n

urows = []
for c in data["cost"]:
    if not c["scenario"].startswith(USERS):
        continue
    k = counts.get((c["device"], c["scenario"]))
    urows.append([user_name(c), f"{c['stock']['mean'] / 1e6:.1f}", f"{c['patched']['mean'] / 1e6:.1f}",
                  f"{c['ratio']:.2f}x",
                  f"{k['stock']['per_gib']['bios']:.0f}/{k['patched']['per_gib']['bios']:.0f}",
                  f"{k['stock']['per_gib']['requests']:.0f}/{k['patched']['per_gib']['requests']:.0f}"])
users = table(["M instr/GiB", "stock", "patched", "ratio", "bios/GiB", "requests/GiB"],
              urows) if urows else "(not in this benchmark run, which predates scenarios 100 and 110)"

wrows = []
for w in data["wall"]:
    dev = {"nvme": "NVMe", "nvme-offload": "NVMe offload"}.get(w["device"], w["device_label"])
    wrows.append([f"{w['scenario'].replace('pmdzero-', '')}, {dev}",
                  f"{w['stock_mib_s']:.0f}", f"{w['patched_mib_s']:.0f}",
                  f"{w['ratio_median']:.2f}x", f"{w['ratio_min']:.2f}-{w['ratio_max']:.2f}"])
wall = table(["MiB/s (median of boots)", "stock", "patched", "ratio", "range"], wrows) \
    if wrows else "(no wall-clock rows in this run)"
kills = []
for k in data["kill"]:
    kills.append(f"stock {k['stock']['median_s']:.2f} s (max {k['stock']['max_s']:.2f}),"
                 f" patched {k['patched']['median_s']:.2f} s (max {k['patched']['max_s']:.2f}),"
                 f" over {k['patched']['tries']} tries each")
mem = data.get("meminfo") or {}
diff = (mem.get("difference_kib") or {}).get("mem_available_kib")
pairs = max((len(w["pairs"]) for w in data["wall"]), default=0)

# The same rows on the previous base, where one was kept (results/base-*):
# what moving the base changed, if anything.
def base_rows(path):
    old = json.load(open(path))
    oldver = os.path.basename(os.path.dirname(path)).replace("base-", "")
    ocost = {(c["device"], c["scenario"]): c for c in old["cost"]}
    ocount = {(c["device"], c["scenario"]): c for c in old["counts"]}
    rows = []
    for c in data["cost"]:
        key = (c["device"], c["scenario"])
        if not headline_nullb(c) or key not in ocost:
            continue
        o, k, ok = ocost[key], counts.get(key), ocount.get(key)
        if not k or not ok:
            continue
        for kern in ("stock", "patched"):
            rows.append([f"{c['device_label'].replace('null_blk ', '')}, {kern}",
                         f"{o[kern]['mean'] / 1e6:.2f}", f"{c[kern]['mean'] / 1e6:.2f}",
                         f"{num(ok[kern]['per_gib']['bios'])}/{num(k[kern]['per_gib']['bios'])}",
                         f"{num(ok[kern]['per_gib']['requests'])}/{num(k[kern]['per_gib']['requests'])}"])
    out = table([f"blkdiscard -z", f"{oldver}", "now", "bios/GiB", "requests/GiB"], rows)
    for ko, kn in zip(old.get("kill", []), data["kill"]):
        out += "\n\n" + textwrap.fill(f"Kill latency, median (max): on {oldver} stock"
                f" {ko['stock']['median_s']:.2f} s ({ko['stock']['max_s']:.2f}), patched"
                f" {ko['patched']['median_s']:.2f} s ({ko['patched']['max_s']:.2f});"
                f" now stock {kn['stock']['median_s']:.2f} s ({kn['stock']['max_s']:.2f}),"
                f" patched {kn['patched']['median_s']:.2f} s ({kn['patched']['max_s']:.2f}).", 72)
    return oldver, out

def fill_in(text, values):
    """Replace each inline mark and re-wrap the paragraphs holding one to
    72 columns, two spaces after a full stop as the template has them."""
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

inline = {
    "@HOST@": f"QEMU TCG on {host.get('host_cpus', '?')} host CPUs ({host.get('host_cpu', 'unrecorded')})",
    "@AGREE@": f"{max(agree):.2f}%",
    "@PAIRS@": str(pairs),
    "@KILL@": "; ".join(kills) or "(not measured in this run)",
    "@MEM@": f"{-diff} KiB" if diff is not None else "(not measured)",
    "@BASE@": host.get("base", "(base not recorded by this run)"),
}
text = fill_in(text, inline)
verdict = "\n".join(textwrap.fill(v, 72, initial_indent=" - ", subsequent_indent="   ",
                                  break_on_hyphens=False) for v in data["verdict"])
zerobio = os.path.join(os.path.dirname(res), "zero-bio-size", "table.txt")
if not os.path.exists(zerobio):
    sys.exit(f"mk-cover-letter: {zerobio} missing: run kernel/experiments/zero-bio-size/run.sh")
import glob
prev = sorted(glob.glob(os.path.join(os.path.dirname(res), "base-*", "summary.json")))
if prev:
    oldver, bases = base_rows(prev[-1])
    bases = (textwrap.fill(f"The same figures on the previous base, {oldver} (the cost in"
                           " M guest instructions per GiB, counts as previous/now):", 72)
             + "\n\n" + bases)
else:
    bases = "(no previous base measured)"
memcost = os.path.join(os.path.dirname(res), "memcost", "table.txt")
if not os.path.exists(memcost):
    sys.exit(f"mk-cover-letter: {memcost} missing: run kernel/experiments/memcost/run.sh")
blocks = {"@BASES@": bases, "@VERDICT@": verdict, "@COST@": cost, "@WALL@": wall, "@DMTHIN@": dmthin, "@USERS@": users,
          "@ZEROBIO@": open(zerobio).read().rstrip("\n"),
          "@MEMCOST@": open(memcost).read().rstrip("\n")}
for mark, value in blocks.items():
    text = text.replace(mark, value)
# Mail is read in plain ASCII terminals too.
text = text.replace("\u2013", "-").replace("\u2212", "-").replace("\u00d7", "x")
c = open(cover).read()
c = c.replace("*** SUBJECT HERE ***", subject.split("] ", 1)[1])
c = c.replace("*** BLURB HERE ***", text.rstrip("\n"))
open(cover, "w").write(c)
PY
cp "$tmp/out/0000-cover-letter.patch" "$top/kernel/patches/0000-cover-letter.patch"
echo "mk-cover-letter: wrote kernel/patches/0000-cover-letter.patch" >&2
