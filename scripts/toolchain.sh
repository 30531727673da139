#!/usr/bin/env bash
# Installs what building and testing EventOS needs, and only what is missing.
# Safe to run again: every step checks first.
set -euo pipefail

CARGO_LEPTOS_VERSION=0.3.10
WASM_BINDGEN_VERSION=0.2.130

say() { printf '==> %s\n' "$*" >&2; }

export PATH="$HOME/.cargo/bin:$PATH"

if ! command -v cargo >/dev/null; then
  echo "error: Rust is not installed; install rustup from your package manager, then run this again" >&2
  exit 1
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
  say "installing cargo-leptos $CARGO_LEPTOS_VERSION (a long build, once per machine)"
  # Unoptimised and without debug info it installs in 4.7 minutes instead of 13, and the
  # tool's own speed does not matter: it spends its time waiting for cargo and wasm-opt.
  cargo install cargo-leptos@"$CARGO_LEPTOS_VERSION" --locked --debug --config profile.dev.debug=0
fi

if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  # Not --locked: its lockfile pins a crate version the registry no longer serves.
  # Unoptimised for the same reason as cargo-leptos: it runs for seconds per build.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --debug --config profile.dev.debug=0
fi
