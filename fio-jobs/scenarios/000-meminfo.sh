#!/bin/bash
# BOOT: cost
# DESCRIPTION: memory after boot: what the static folio costs, kernel by kernel.
. /pmdzero/bench/lib.sh
meminfo_data
