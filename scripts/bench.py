#!/usr/bin/env python3
"""Parts of scripts/bench (docs/perf.md) that are easier in Python than in bash.

  bench.py startup OUT.txt      start-up cases in alternating batches; RESULT lines to OUT.txt
  bench.py report RESULTS.txt   the table of every RESULT line, printed and written to docs/perf.md

A RESULT line: `RESULT case=<name> unit=<ms|per_s|pct|MB> n=<count> p50=… p90=… p99=… max=…`
(fields a case has no use for are left out).
"""

import os
import platform
import re
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RELEASE = ROOT / "target" / "release"


def percentile(sorted_values, p):
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return float("nan")
    k = max(1, min(len(sorted_values), -(-len(sorted_values) * p // 100)))
    return sorted_values[int(k) - 1]


def result_line(case, unit, values):
    v = sorted(values)
    return (
        f"RESULT case={case} unit={unit} n={len(v)} p50={percentile(v, 50):.1f} "
        f"p90={percentile(v, 90):.1f} p99={percentile(v, 99):.1f} max={v[-1]:.1f}"
    )


# ---------------------------------------------------------------------------------------------
# Start-up: spawn → "READY <epoch ms>" (the first frame), for the bare window and the app.


def spawn_until_ready(cmd, env, log_dir, linger=0.0):
    """Starts `cmd`, waits for its READY line, stops it; returns (ms, screen) or (None, why)."""
    out_path, err_path = log_dir / "out", log_dir / "err"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        start = time.time()
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=err, start_new_session=True)
        ready = None
        deadline = start + 30
        while time.time() < deadline:
            text = out_path.read_text(errors="replace")
            m = re.search(r"^READY (\d+)$", text, re.M)
            if m:
                ready = int(m.group(1))
                break
            if proc.poll() is not None:
                break
            time.sleep(0.005)
        if linger:
            time.sleep(linger)
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    if ready is None:
        return None, "no READY line: " + err_path.read_text(errors="replace")[-400:]
    m = re.search(r'screen="?([a-z]+)', err_path.read_text(errors="replace"))
    return ready - start * 1000.0, (m.group(1) if m else "")


def startup(out_file):
    work = Path(os.environ["MYMTS_BENCH_WORK"])
    batches = int(os.environ.get("MYMTS_BENCH_BATCHES", "4"))
    per_batch = int(os.environ.get("MYMTS_BENCH_STARTS", "11"))
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("WEBKIT_")}
    app = str(RELEASE / "mymts-app")
    bare = str(RELEASE / "mymts-bare-window")

    def app_case(data, service):
        env = dict(base_env, MYMTS_STARTUP_MARKER="1")
        return [app, "--data-dir", str(data), "--keyring-service", service], env

    login_dir, account_dir = work / "login", work / "account"
    # A returning subscriber: signed in with "remember this device" through the CLI over the
    # same data dir and embedded world, then one app run that autologins and caches the home.
    subprocess.run(
        [str(RELEASE / "mymts"), "--data-dir", str(account_dir), "--keyring-service",
         "mymts-bench-account", "--json", "login", "--phone", "+79161234567",
         "--password", "Anna2026pass", "--remember"],
        check=True, stdout=subprocess.DEVNULL,
    )
    cmd, env = app_case(account_dir, "mymts-bench-account")
    spawn_until_ready(cmd, env, work, linger=4)
    # The login screen's data dir: a first start seeds the embedded world.
    cmd, env = app_case(login_dir, "mymts-bench-login")
    spawn_until_ready(cmd, env, work, linger=4)

    cases = {
        "startup_bare_window": ([bare], dict(base_env)),
        # What the app does on a machine without a GPU (src-tauri/src/render.rs).
        "startup_bare_window_cpu_painting": (
            [bare], dict(base_env, WEBKIT_SKIA_ENABLE_CPU_RENDERING="1")),
        # What the app did before issue 14: compositing off, with its slow mode.
        "startup_bare_window_no_compositing": (
            [bare], dict(base_env, WEBKIT_DISABLE_COMPOSITING_MODE="1")),
        "startup_app_account": app_case(account_dir, "mymts-bench-account"),
        "startup_app_login": app_case(login_dir, "mymts-bench-login"),
    }
    expect = {"startup_app_account": "home", "startup_app_login": "login"}
    times = {c: [] for c in cases}
    screens = {c: set() for c in cases}
    names = list(cases)
    for b in range(batches):
        # Each batch starts with another case, so no case always follows the same one.
        order = names[b % len(names):] + names[: b % len(names)]
        for case in order:
            cmd, env = cases[case]
            for i in range(per_batch):
                ms, screen = spawn_until_ready(cmd, env, work)
                if ms is None:
                    print(f"{case}: {screen}", file=sys.stderr)
                    continue
                if i == 0:
                    continue  # the first start of a batch warms the page cache for the case
                times[case].append(ms)
                screens[case].add(screen)
            print(f"batch {b + 1}/{batches} {case}: done", file=sys.stderr)
    with open(out_file, "a") as f:
        for case in names:
            if case in expect and screens[case] != {expect[case]}:
                print(f"{case}: first frames showed {screens[case]}, not {expect[case]}",
                      file=sys.stderr)
                sys.exit(1)
            line = result_line(case, "ms", times[case]) + f" slow700={sum(t > 700 for t in times[case])}"
            print(line)
            f.write(line + "\n")


# ---------------------------------------------------------------------------------------------
# The report.


def parse(results_file):
    rows = {}
    for line in Path(results_file).read_text().splitlines():
        if not line.startswith("RESULT "):
            continue
        fields = dict(kv.split("=", 1) for kv in line.split()[1:] if "=" in kv)
        rows[fields.pop("case")] = fields
    return rows


def num(rows, case, field):
    try:
        return float(rows[case][field])
    except (KeyError, ValueError):
        return float("nan")


def machine():
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    os_name = ""
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                os_name = line.split("=", 1)[1].strip('"')
    except OSError:
        pass
    webkit = subprocess.run(
        ["dpkg-query", "-W", "-f=${Version}", "libwebkit2gtk-4.1-0"],
        capture_output=True, text=True,
    ).stdout
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    load = os.getloadavg()[0]
    return (
        f"{cpu}, {os.cpu_count()} cores, {mem} RAM; {os_name}, Linux {platform.release()}; "
        f"WebKitGTK {webkit}; {rustc}; Xvfb, no GPU; load average {load:.2f} at the end of the run"
    )


def verdict(ok):
    if ok != ok:  # NaN: no bar
        return "–"
    return "**met**" if ok else "**not met**"


def report(results_file):
    r = parse(results_file)
    bare50, bare90 = num(r, "startup_bare_window", "p50"), num(r, "startup_bare_window", "p90")
    lines = [
        f"Run of `scripts/bench` on {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC.",
        "",
        f"Machine: {machine()}.",
        "",
        "| measure | p50 | p90 | p99 | max | n | bar | verdict |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]

    def row(label, case, bar, ok, unit="ms"):
        if case not in r:
            lines.append(f"| {label} | – | – | – | – | – | {bar} | not measured in this run |")
            return
        f = r[case]
        cells = [f.get(k, "–") for k in ("p50", "p90", "p99", "max", "n")]
        if unit != "ms":
            cells = [c if c == "–" or k == 4 else f"{c} {unit}" for k, c in enumerate(cells)]
        else:
            cells = [c if c == "–" or k == 4 else f"{c} ms" for k, c in enumerate(cells)]
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {bar} | {verdict(ok)} |")

    for case, label in (
        ("startup_app_account", "start-up: launch → account on screen (remembered device)"),
        ("startup_app_login", "start-up: launch → login screen"),
    ):
        p50, p90 = num(r, case, "p50"), num(r, case, "p90")
        ratio = f"{p50 / bare50:.2f}× / {p90 / bare90:.2f}×"
        ok = (p50 <= 1.1 * bare50 and p90 <= 1.1 * bare90) if p50 == p50 else float("nan")
        if p50 == p50 and bare50 == bare50:
            label = f"{label}: p50 / p90 {ratio} the bare window's"
        row(label, case, "p50 and p90 ≤ 1.1× the bare window's", ok)
    row("start-up: bare Tauri window, WebKit defaults (the baseline)", "startup_bare_window", "–",
        float("nan"))
    row("start-up: bare window, CPU painting (what the app asks for without a GPU)",
        "startup_bare_window_cpu_painting", "–", float("nan"))
    row("start-up: bare window, compositing off (what the app asked for before)",
        "startup_bare_window_no_compositing", "–", float("nan"))
    slow = ", ".join(
        f"{c.removeprefix('startup_').replace('_', ' ')} {r[c].get('slow700', '?')} of "
        f"{r[c].get('n', '?')}"
        for c in r if c.startswith("startup_")
    )
    p99 = num(r, "otp_notify", "p99")
    row("OTP: SMS request → the app's D-Bus `Notify`", "otp_notify", "p99 ≤ 50 ms",
        p99 <= 50 if p99 == p99 else p99)
    row("OTP: SMS request → the code set in the field", "otp_field_set", "–", float("nan"))
    row("OTP: SMS request → the next frame with the code", "otp_field_frame", "–", float("nan"))
    row("OTP: the API's answer to the request", "otp_api_answer", "–", float("nan"))
    ratio = num(r, "logins_ratio", "p50")
    row("logins/s over HTTP, load generator in another process", "http_logins", "–",
        float("nan"), unit="/s")
    row("argon2id ceiling (verifies/s, one thread per core)", "argon2_ceiling", "–",
        float("nan"), unit="/s")
    row("logins/s ÷ ceiling, median of the rounds' ratios", "logins_ratio", "≥ 95 %",
        ratio >= 95 if ratio == ratio else ratio, unit="%")
    sync = num(r, "cdr_sync", "p90")
    row("100,000 call-detail records: order → all in the cache", "cdr_sync", "p90 ≤ 1 s",
        sync <= 1000 if sync == sync else sync)
    row("… then the first page read", "cdr_first_page", "–", float("nan"))
    flt = num(r, "cdr_filter_during_sync", "p99")
    row("a filter or search while the sync runs", "cdr_filter_during_sync", "p99 ≤ 50 ms",
        flt <= 50 if flt == flt else flt)
    lines.append("")
    lines.append(f"Starts slower than 700 ms: {slow}.")
    size_rows = [(c, f) for c, f in r.items() if c.startswith("size_")]
    if size_rows:
        lines += ["", "| release binary, stripped | size | bar | verdict |", "| --- | --- | --- | --- |"]
        for c, f in size_rows:
            mb = float(f.get("p50", "nan"))
            bar = "≤ 16 MB" if c == "size_app_default" else "–"
            ok = mb <= 16 if c == "size_app_default" else float("nan")
            lines.append(f"| {c.removeprefix('size_').replace('_', ' ')} | {mb:.1f} MB | {bar} | {verdict(ok)} |")
    table = "\n".join(lines)
    print(table)
    perf = ROOT / "docs" / "perf.md"
    text = perf.read_text()
    begin, end = "<!-- scripts/bench: begin -->", "<!-- scripts/bench: end -->"
    block = f"{begin}\n{table}\n{end}"
    if begin in text and end in text:
        text = text[: text.index(begin)] + block + text[text.index(end) + len(end):]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    perf.write_text(text)


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("startup", "report"):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    {"startup": startup, "report": report}[sys.argv[1]](sys.argv[2])
