#!/usr/bin/env python3
"""Size check of issue 18: prints every non-test Rust function longer than MAXFN
lines and every source file longer than MAXFILE lines (up to its `#[cfg(test)]`
module), under DIR (default: the current folder). Prints nothing when all fit.

    python3 tests/tools/fnlen.py 100 700 crates

A brace matcher over the text, not a parser: string literals and line comments
are stripped roughly before counting braces."""
import os, re, sys
maxfn, maxfile = int(sys.argv[1]), int(sys.argv[2])
root = sys.argv[3] if len(sys.argv) > 3 else '.'
fn_re = re.compile(r'^\s*(pub(\([^)]*\))?\s+)?(const\s+)?(async\s+)?(unsafe\s+)?fn\s+(\w+)')
def strip(line):
    # drop string literals and line comments (rough)
    line = re.sub(r'"(\\.|[^"\\])*"', '""', line)
    line = re.sub(r"'(\\.|[^'\\])'", "''", line)
    return line.split('//')[0]
for dp, dn, fns in os.walk(root):
    if '/target' in dp or '/tests' in dp or '/benches' in dp or '/.git' in dp or 'node_modules' in dp: continue
    if '/src' not in dp: continue
    for f in fns:
        if not f.endswith('.rs') or f == 'tests.rs': continue
        p = os.path.join(dp, f)
        lines = open(p, encoding='utf-8').read().split('\n')
        end = len(lines)
        for i, l in enumerate(lines):
            if l.strip() == '#[cfg(test)]':
                end = i; break
        if end > maxfile: print(f'FILE {p} {end}')
        i = 0
        while i < end:
            m = fn_re.match(lines[i])
            if m:
                depth = 0; started = False; j = i
                while j < end:
                    s = strip(lines[j])
                    if not started and ';' in s and '{' not in s: break
                    for ch in s:
                        if ch == '{': depth += 1; started = True
                        elif ch == '}': depth -= 1
                    if started and depth <= 0: break
                    j += 1
                if started and j - i + 1 > maxfn:
                    print(f'FN {p}:{i+1} {m.group(6)} {j-i+1}')
            i += 1
