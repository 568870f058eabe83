# SPDX-License-Identifier: GPL-2.0-or-later
"""The stock-versus-patched report of fio-jobs/bench.sh, in four steps:
load (the raw records and boots, checked), analyse (rows and the verdict),
render (summary.md) and plot (gnuplot figures).  fio-jobs/report.py runs
them; its docstring describes the input and summary.json."""
