#!/bin/bash
# DESCRIPTION: issue 14 part 2 under memory pressure: 020-concurrent-zeroing
# with a memhog holding all but 384 MiB of MemAvailable (churning mixed huge
# and small pages) while another process compacts memory and drops caches.
# See 020-concurrent-zeroing.sh.
STRESS_PRESSURE=1 exec bash "$(dirname "$0")/020-concurrent-zeroing.sh"
