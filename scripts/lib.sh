# Shared by scripts/run and scripts/test: install what a fresh Debian/Ubuntu machine lacks.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# System packages the build, the keyring tests and the headless app runs need.
SYSTEM_PACKAGES=(
  build-essential pkg-config file libssl-dev
  libwebkit2gtk-4.1-dev libxdo-dev libayatana-appindicator3-dev librsvg2-dev
  xvfb webkit2gtk-driver dbus dbus-user-session dbus-x11 gnome-keyring libsecret-1-dev
  notification-daemon imagemagick
)

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
    echo "cargo is missing: install Rust 1.88 or newer (https://rustup.rs) and run this again." >&2
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
build_ui() {
  if ! command -v npm >/dev/null 2>&1; then
    echo "==> installing Node.js and npm"
    sudo_if_needed apt-get install -y -qq nodejs npm >/dev/null
  fi
  (
    cd "$ROOT/ui"
    # Reinstall only when the lock file changed since the last install.
    if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
      npm ci --no-audit --no-fund
    fi
    npm run build
  )
}
