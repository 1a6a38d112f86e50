# Shared by the scripts (run, test, e2e, deb, bench): install what a fresh Debian/Ubuntu
# machine lacks, and build the web UI once per run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# System packages the build, the keyring tests and the headless app runs need.
SYSTEM_PACKAGES=(
  build-essential pkg-config file libssl-dev
  libwebkit2gtk-4.1-dev libxdo-dev libayatana-appindicator3-dev librsvg2-dev
  xvfb webkit2gtk-driver dbus dbus-user-session dbus-x11 gnome-keyring libsecret-1-dev
  notification-daemon imagemagick
  python3 python3-venv
)

# Wall time per step, printed at the end of a run (also when a step fails), so a slow CI run says
# where its time went: `step NAME command...`.
STEP_TIMES=()
step() {
  local name="$1" t0=$SECONDS
  shift
  echo "==> [$name]"
  "$@"
  STEP_TIMES+=("$(printf '%6d s  %s' $((SECONDS - t0)) "$name")")
}
print_step_times() {
  [ ${#STEP_TIMES[@]} -gt 0 ] || return 0
  echo "==> wall time per step (of ${SECONDS} s in all):"
  printf '%s\n' "${STEP_TIMES[@]}"
}

sudo_if_needed() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

ensure_system_packages() {
  local missing=()
  for p in "${SYSTEM_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "==> installing system packages: ${missing[*]}"
    sudo_if_needed apt-get update -qq
    DEBIAN_FRONTEND=noninteractive sudo_if_needed apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  if ! command -v cargo >/dev/null 2>&1; then
    echo "cargo is missing: install Rust 1.89 or newer (https://rustup.rs) and run this again." >&2
    exit 5
  fi
}

# tauri-driver (crates.io) drives WebKitWebDriver for the WebDriver journeys.
ensure_tauri_driver() {
  if ! command -v tauri-driver >/dev/null 2>&1; then
    echo "==> installing tauri-driver"
    cargo install tauri-driver --locked
  fi
}

# The web UI: npm packages (from the lock file) and the production build Tauri embeds.
# Node.js 20.19 or newer (jsdom, used by the UI's tests, needs it). Debian 12 and Ubuntu 24.04 ship
# Node 18, so an older Node fetches a newer one from the npm registry into target/node.
NODE_MIN_MAJOR=20
NODE_MIN_MINOR=19
ensure_node() {
  local local_bin="$ROOT/target/node/node_modules/.bin"
  if [ -x "$local_bin/node" ]; then export PATH="$local_bin:$PATH"; fi
  if ! command -v npm >/dev/null 2>&1; then
    echo "==> installing Node.js and npm"
    sudo_if_needed apt-get update -qq
    DEBIAN_FRONTEND=noninteractive sudo_if_needed apt-get install -y -qq nodejs npm >/dev/null
  fi
  local v major minor
  v="$(node -p 'process.versions.node' 2>/dev/null || echo 0.0.0)"
  major="${v%%.*}"; minor="${v#*.}"; minor="${minor%%.*}"
  if [ "$major" -lt "$NODE_MIN_MAJOR" ] ||
    { [ "$major" -eq "$NODE_MIN_MAJOR" ] && [ "$minor" -lt "$NODE_MIN_MINOR" ]; }; then
    echo "==> Node.js $v is older than $NODE_MIN_MAJOR.$NODE_MIN_MINOR: fetching Node.js 22 from the npm registry"
    mkdir -p "$ROOT/target/node"
    npm install --no-audit --no-fund --prefix "$ROOT/target/node" node@22 >/dev/null
    export PATH="$local_bin:$PATH"
  fi
}

build_ui() {
  # scripts/test builds it, then runs scripts/e2e, which need not build it again.
  if [ "${MYMTS_UI_BUILT:-}" = 1 ]; then return; fi
  ensure_node
  (
    cd "$ROOT/ui"
    # Reinstall only when the lock file changed since the last install.
    if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
      npm ci --no-audit --no-fund
    fi
    npm run build
  )
  export MYMTS_UI_BUILT=1
}
