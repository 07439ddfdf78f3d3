#!/usr/bin/env bash
# The README's main command: floe's main job on embedded defaults (local catalog and warehouse).
# Until `floe load` and `floe sync` land it shows floe's help.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-node-modules.sh
node bin/floe.js help
