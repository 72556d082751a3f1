# Shared helpers for the scripts in scripts/. Source it; it defines functions only.

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# The Cargo target directory: outside the checkout so fresh clones (CI) reuse earlier builds.
cargo_target_dir() {
  if [ -n "${CARGO_TARGET_DIR:-}" ]; then
    echo "$CARGO_TARGET_DIR"
  elif mkdir -p /var/cache/helpdesk/target 2>/dev/null && [ -w /var/cache/helpdesk/target ]; then
    echo /var/cache/helpdesk/target
  else
    echo "${XDG_CACHE_HOME:-$HOME/.cache}/helpdesk/target"
  fi
}

# A TCP port nobody listens on right now.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# wait_for_http URL SECONDS: polls until the URL answers 2xx or the time is up.
wait_for_http() {
  local url=$1 seconds=$2 i
  for ((i = 0; i < seconds * 5; i++)); do
    if curl -fsS -o /dev/null "$url" 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  return 1
}
