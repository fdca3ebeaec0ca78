#!/usr/bin/env bash
# Runs a test that needs a display on its own Xvfb server (Mesa's llvmpipe gives OpenGL
# without a GPU), so it behaves the same on a desktop and on a machine without a display.
set -euo pipefail
exec xvfb-run -a -s "-screen 0 1600x1000x24" "$@"
