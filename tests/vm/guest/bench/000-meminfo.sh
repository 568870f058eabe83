#!/bin/bash
# DESCRIPTION: memory after boot: what the static folio costs, kernel by kernel.
. /pmdzero/lib.sh
meminfo_data
