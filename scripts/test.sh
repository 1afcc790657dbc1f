#!/usr/bin/env bash
# Installs everything the tests need on a fresh Debian 12 machine with Node 20, then runs them all:
# type checks, lint, unit tests (vitest) and end-to-end tests in Debian's Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    echo "Installing Chromium (Debian package) for the end-to-end tests..."
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium
  else
    echo "The end-to-end tests need Chromium: run 'sudo apt-get install chromium' (or set CHROMIUM_PATH)." >&2
    exit 1
  fi
fi

# Debian's PyTorch: the exported PyTorch code is run against the engine's own numbers (Pillow writes test
# images and reads image folders in the exported script); ONNX's checker checks every exported model.
if ! /usr/bin/python3 -c 'import torch, numpy, PIL, onnx' >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    echo "Installing PyTorch (Debian package) for the export tests..."
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3-torch python3-numpy python3-pil python3-onnx
  else
    echo "The export tests need Debian's PyTorch: run 'sudo apt-get install python3-torch python3-pil python3-onnx'." >&2
    exit 1
  fi
fi

npm ci --no-audit --no-fund
npm test
node scripts/test-summary.mjs
