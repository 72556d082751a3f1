# shellcheck shell=bash
# The Lambda tool chain, from PyPI into one virtualenv reused across runs: cargo-lambda (with
# zig, its cross-linker for arm64), cfn-lint and the SAM CLI. Source it after common.sh.

# Pinned so a CI run does not change its linters under us; bump together and re-run scripts/test.
LAMBDA_TOOLS="cargo-lambda==1.9.2 ziglang==0.17.1 cfn-lint==1.58.0 aws-sam-cli==1.170.0"

# The virtualenv folder: beside the Cargo target directory, outside the checkout.
lambda_venv_dir() {
  echo "$(dirname "$(cargo_target_dir)")/venv"
}

# lambda_tools: creates or updates the virtualenv when needed and puts its bin/ first on PATH.
# Returns non-zero (with a message) when the tools cannot be installed.
lambda_tools() {
  local venv stamp
  venv=$(lambda_venv_dir)
  stamp="$venv/.helpdesk-tools"
  if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$LAMBDA_TOOLS" ]; then
    log "installing the Lambda tools into $venv: $LAMBDA_TOOLS"
    mkdir -p "$(dirname "$venv")"
    python3 -m venv "$venv" || { echo "python3 -m venv failed (Debian: apt-get install python3-venv)" >&2; return 1; }
    # shellcheck disable=SC2086
    "$venv/bin/pip" install --quiet --disable-pip-version-check $LAMBDA_TOOLS || return 1
    echo "$LAMBDA_TOOLS" >"$stamp"
  fi
  PATH="$venv/bin:$PATH"
  export PATH
  # The SAM CLI would otherwise try to send usage data on a network that is closed here.
  export SAM_CLI_TELEMETRY=0
}
