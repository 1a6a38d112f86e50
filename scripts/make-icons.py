#!/usr/bin/env python3
"""The app icon, once, for every platform: draws the source (a brand-red rounded square with a
white "M", RGBA PNG, 1024 px) into icons/app-icon.png in pure Python (zlib, no ImageMagick), then
hands it to `tauri icon` (the Tauri CLI from ui/'s npm packages, offline), which writes every size
the bundles need: the desktop PNGs, icon.ico (Windows; tauri-build embeds it in the .exe's
resources), icon.icns (macOS), the Windows Store logos, icons/android/ (mipmaps) and icons/ios/
(AppIcon set). Run from the repository root after `npm ci` in ui/ (scripts/test does that)."""
import os, struct, subprocess, sys, zlib

RED = (0xE3, 0x06, 0x11)

def inside_rrect(x, y, s):
    m, r = 0.03 * s, 0.19 * s
    lo, hi = m, s - m
    if not (lo <= x <= hi and lo <= y <= hi):
        return False
    cx = min(max(x, lo + r), hi - r)
    cy = min(max(y, lo + r), hi - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r

def in_quad(px, py, q):
    sign = None
    for i in range(4):
        x1, y1 = q[i]; x2, y2 = q[(i + 1) % 4]
        c = (x2 - x1) * (py - y1) - (y2 - y1) * (px - x1)
        if c != 0:
            s = c > 0
            if sign is None: sign = s
            elif s != sign: return False
    return True

def m_shapes(s):
    u = lambda a, b: (a * s, b * s)
    t = 0.11  # stroke width
    l, r, top, bot, mid = 0.24, 0.76, 0.27, 0.74, 0.58
    return [
        [u(l, top), u(l + t, top), u(l + t, bot), u(l, bot)],
        [u(r - t, top), u(r, top), u(r, bot), u(r - t, bot)],
        [u(l, top), u(l + t, top), u(0.5 + t / 2, mid), u(0.5 - t / 2, mid)],
        [u(r - t, top), u(r, top), u(0.5 + t / 2, mid), u(0.5 - t / 2, mid)],
    ]

def render(s, ss=3):
    quads = m_shapes(s)
    rows = []
    for y in range(s):
        row = bytearray([0])
        for x in range(s):
            bg = fg = 0
            for j in range(ss):
                for i in range(ss):
                    px, py = x + (i + 0.5) / ss, y + (j + 0.5) / ss
                    if inside_rrect(px, py, s):
                        bg += 1
                        if any(in_quad(px, py, q) for q in quads):
                            fg += 1
            n = ss * ss
            if bg == 0:
                row += bytes(4)
            else:
                f = fg / bg
                col = [round(c * (1 - f) + 255 * f) for c in RED]
                row += bytes(col + [round(255 * bg / n)])
        rows.append(bytes(row))
    raw = b"".join(rows)
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", s, s, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")

SOURCE = "icons/app-icon.png"
open(SOURCE, "wb").write(render(1024, 2))
print(SOURCE)
cli = os.path.join("ui", "node_modules", ".bin", "tauri")
if not os.path.exists(cli):
    sys.exit(f"{cli} is missing: run `npm ci` in ui/ first")
subprocess.run([cli, "icon", SOURCE, "--output", "icons"], check=True)
