#!/bin/bash
# Regenerate kernel/patches/0000-cover-letter.patch: the shortlog and
# diffstat from the series applied to the pristine tree, the text from
# kernel/cover-letter.in, the table from results/latest/summary.md.
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
import sys
cover, template, summary, subject = sys.argv[1:5]
text = open(template).read().split("\n", 2)[2]   # drop SUBJECT line + blank
md = open(summary).read().splitlines()
first = next(i for i, l in enumerate(md) if l.startswith("|"))
table = "\n".join(md[first:]).strip("\n")     # the tables, blank line between
text = text.replace("@TABLE@", table)
c = open(cover).read()
c = c.replace("*** SUBJECT HERE ***", subject.split("] ", 1)[1])
c = c.replace("*** BLURB HERE ***", text.rstrip("\n"))
open(cover, "w").write(c)
PY
cp "$tmp/out/0000-cover-letter.patch" "$top/kernel/patches/0000-cover-letter.patch"
echo "mk-cover-letter: wrote kernel/patches/0000-cover-letter.patch" >&2
