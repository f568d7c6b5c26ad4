#!/usr/bin/env python3
"""Check properties of plinth.elf that the boot paths rely on.

- multiboot1 header within the first 8 KiB, multiboot2 within 32 KiB;
- file offsets of the loaded segments follow their addresses linearly
  (the multiboot1 a.out kludge loads the file as one block);
- no segment is both writable and executable.
"""
import struct
import sys

MB1_MAGIC = 0x1BADB002
MB2_MAGIC = 0xE85250D6
PT_LOAD = 1
PF_X, PF_W = 1, 2


def fail(msg):
    sys.stderr.write(f"check-image: {msg}\n")
    sys.exit(1)


def find_magic(data, magic, limit, align):
    for off in range(0, min(limit, len(data)) - 4, align):
        if struct.unpack_from("<I", data, off)[0] == magic:
            return off
    return None


def main(path):
    data = open(path, "rb").read()
    if data[:4] != b"\x7fELF" or data[4] != 2:
        fail(f"{path} is not an ELF64 file")
    if find_magic(data, MB1_MAGIC, 8192, 4) is None:
        fail("no multiboot1 header in the first 8 KiB")
    if find_magic(data, MB2_MAGIC, 32768, 8) is None:
        fail("no multiboot2 header in the first 32 KiB")
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    delta = None
    for i in range(phnum):
        p_type, p_flags, p_offset, p_vaddr, _, p_filesz, _, _ = struct.unpack_from(
            "<IIQQQQQQ", data, phoff + i * phentsize)
        if p_type != PT_LOAD:
            continue
        if (p_flags & PF_W) and (p_flags & PF_X):
            fail(f"segment {i} at {p_vaddr:#x} is writable and executable")
        if p_filesz == 0:
            continue
        if delta is None:
            delta = p_vaddr - p_offset
        elif p_vaddr - p_offset != delta:
            fail(f"segment {i} at {p_vaddr:#x} breaks the linear file layout")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
