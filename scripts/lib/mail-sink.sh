# shellcheck shell=bash
# The local mail sink: MailDev, pinned by tools/mail-sink/package-lock.json (the same build the
# compose `mail` service runs). It accepts every message by SMTP, sends none on, and shows them
# in a web view, with a REST API beside it (GET /email lists them as JSON). Source it after
# common.sh.

mail_sink_dir() {
  echo "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/tools/mail-sink"
}

# mail_sink_install: `npm ci` in tools/mail-sink when MailDev is missing or the lockfile changed
# since. Returns non-zero (with a message) without npm or when the install fails.
mail_sink_install() {
  local dir
  dir=$(mail_sink_dir)
  command -v npm >/dev/null 2>&1 || { echo "npm not found (install Node.js 20)" >&2; return 1; }
  if [ ! -x "$dir/node_modules/.bin/maildev" ] \
    || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    log "installing the mail sink (MailDev, tools/mail-sink)"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) >&2 || return 1
  fi
}

# mail_sink_port_free PORT: nothing listens on 127.0.0.1:PORT.
mail_sink_port_free() {
  python3 -c 'import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))' "$1" 2>/dev/null
}

# mail_sink_start SMTP_PORT WEB_PORT MAIL_DIR LOG: MailDev on 127.0.0.1 in the background, keeping
# messages in MAIL_DIR (so they outlive a restart); sets mail_sink_pid and waits for the web view.
# Returns non-zero (with a message) when a port is taken or it does not start.
mail_sink_start() {
  local smtp_port=$1 web_port=$2 mail_dir=$3 log_file=$4 port
  for port in "$smtp_port" "$web_port"; do
    mail_sink_port_free "$port" || { echo "127.0.0.1:$port is in use" >&2; return 1; }
  done
  mkdir -p "$mail_dir"
  node "$(mail_sink_dir)/node_modules/maildev/bin/maildev" --ip 127.0.0.1 --web-ip 127.0.0.1 \
    --smtp "$smtp_port" --web "$web_port" --mail-directory "$mail_dir" >"$log_file" 2>&1 &
  mail_sink_pid=$!
  if ! wait_for_http "http://127.0.0.1:$web_port/healthz" 20 || ! kill -0 "$mail_sink_pid" 2>/dev/null; then
    tail -5 "$log_file" >&2
    mail_sink_stop
    return 1
  fi
}

# mail_sink_stop: stops the MailDev mail_sink_start started, if it still runs (it closes its
# SMTP connections and exits on SIGTERM).
mail_sink_stop() {
  if [ -n "${mail_sink_pid:-}" ]; then
    kill -TERM "$mail_sink_pid" 2>/dev/null || true
    wait "$mail_sink_pid" 2>/dev/null || true
    mail_sink_pid=
  fi
}
