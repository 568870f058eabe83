#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Checks pmdzero --dump-options (host test 001-help).

    check-options.py OPTIONS.JSON

Every command declares each long and short option once, gives each a help
text, and ends with --help and --version.  Exit status 0, or 1 with the
first problem on stdout.
"""
import json
import sys


def main():
    cmds = json.load(open(sys.argv[1]))["commands"]
    if not cmds:
        sys.exit("no commands")
    for c in cmds:
        longs = [o["long"] for o in c["options"]]
        shorts = [o["short"] for o in c["options"] if o["short"]]
        for what, names in (("long", longs), ("short", shorts)):
            dup = sorted({n for n in names if names.count(n) > 1})
            if dup:
                print("%s: %s option declared twice: %s" % (c["name"], what, dup))
                return 1
        for o in c["options"]:
            if not o["help"]:
                print("%s --%s: no help text" % (c["name"], o["long"]))
                return 1
        if longs[-2:] != ["help", "version"]:
            print("%s: --help and --version are not its last options" % c["name"])
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
