#!/usr/bin/env python3
"""Builds fonts/NotoSansCJKsc-Regular-subset.otf, the font Jineng's PDFs
embed (crates/report/src/pdf). Source: Noto Sans CJK SC Regular, face 2 of
Debian's fonts-noto-cjk NotoSansCJK-Regular.ttc (SIL OFL 1.1, see OFL.txt).

Characters kept: ASCII, Latin-1 punctuation, general punctuation, CJK
symbols and punctuation, full-width forms and every character of GB 2312
(6,763 hanzi; it covers 通用规范汉字表 level 1 but for a handful of
characters, see README.md). Needs fontTools (`pip install fonttools`).

    python3 fonts/subset.py [SOURCE.ttc]
"""

import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
SOURCE = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
FACE = 2  # Noto Sans CJK SC in the collection
OUT = HERE / "NotoSansCJKsc-Regular-subset.otf"


def gb2312() -> set[int]:
    """Every character GB 2312 encodes (rows 0xA1-0xF7, cells 0xA1-0xFE)."""
    chars = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(ord(bytes([hi, lo]).decode("gb2312")))
            except UnicodeDecodeError:
                pass
    return chars


def ranges() -> set[int]:
    keep = set(range(0x20, 0x7F))  # ASCII
    keep |= set(range(0xA0, 0x100))  # Latin-1 (¥, ·, ×, …)
    keep |= set(range(0x2000, 0x2070))  # general punctuation
    keep |= set(range(0x2100, 0x2150))  # letterlike (℃, №)
    keep |= set(range(0x2460, 0x2500))  # enclosed numbers ①
    keep |= set(range(0x3000, 0x3040))  # CJK symbols and punctuation
    keep |= set(range(0xFF00, 0xFFF0))  # full-width forms
    return keep


def main() -> None:
    chars = sorted(gb2312() | ranges())
    unicodes = ",".join(f"U+{c:04X}" for c in chars)
    subprocess.run(
        [
            "pyftsubset",
            SOURCE,
            f"--font-number={FACE}",
            f"--unicodes={unicodes}",
            f"--output-file={OUT}",
            "--layout-features=kern,palt,vert,liga",
            "--name-IDs=*",
            "--name-languages=*",
            "--notdef-outline",
        ],
        check=True,
    )
    print(f"{OUT.name}: {len(chars)} characters, {OUT.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
