#!/usr/bin/env python3
"""Generate the panic backtrace's symbol table from `nm -n` output.

  nm -n --defined-only plinth.elf | gensyms.py > ksyms.S   table of text symbols
  gensyms.py --empty > ksyms0.S                            empty table (first link)
  nm -n ... final.elf | gensyms.py --check pass1.nm        text addresses unchanged?
"""
import sys

TEXT_TYPES = {"T", "t", "W", "w"}


def text_symbols(lines):
    syms = {}
    for line in lines:
        parts = line.split()
        if len(parts) != 3 or parts[1] not in TEXT_TYPES:
            continue
        addr = int(parts[0], 16)
        name = parts[2]
        # Several names at one address: keep the first global one.
        if addr not in syms or (parts[1].isupper() and not syms[addr][1]):
            syms[addr] = (name, parts[1].isupper())
    return sorted((a, n) for a, (n, _) in syms.items())


def emit(syms):
    out = ['\t.section .ksyms, "a"', "\t.balign 8",
           "\t.globl ksym_count, ksym_addrs, ksym_name_offsets, ksym_names",
           f"ksym_count:\n\t.quad {len(syms)}", "ksym_addrs:"]
    out += [f"\t.quad {a:#x}" for a, _ in syms]
    out.append("ksym_name_offsets:")
    offset = 0
    for _, name in syms:
        out.append(f"\t.long {offset}")
        offset += len(name) + 1
    out.append("ksym_names:")
    out += [f'\t.asciz "{name}"' for _, name in syms]
    return "\n".join(out) + "\n"


def main(argv):
    if argv[1:] == ["--empty"]:
        sys.stdout.write(emit([]))
        return 0
    if len(argv) == 3 and argv[1] == "--check":
        with open(argv[2]) as f:
            before = text_symbols(f)
        after = text_symbols(sys.stdin)
        if before != after:
            moved = sorted(set(before) ^ set(after))[:5]
            sys.stderr.write(f"gensyms: text symbols moved between link passes: {moved}\n")
            return 1
        return 0
    if len(argv) != 1:
        sys.stderr.write(__doc__)
        return 2
    sys.stdout.write(emit(text_symbols(sys.stdin)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
