#!/usr/bin/env python3
"""Write a Linux initramfs: a newc ("070701") cpio archive, gzip-compressed.

    mkcpio.py OUT.cpio.gz ROOTDIR [--nod PATH MODE MAJOR MINOR c|b] ...

Every file, directory and symbolic link under ROOTDIR goes in, owned by root
(uid 0, gid 0) whoever owns it here, with mtime 0, in sorted order: the same
tree always gives the same bytes. --nod adds a device node (e.g. `--nod
/dev/console 0600 5 1 c`) that does not exist in ROOTDIR, so neither root nor
mknod is needed. The format is the kernel's (Documentation/driver-api/
early-userspace/buffer-format.rst): a 110-byte ASCII header, the name with its
NUL, padded to 4 bytes, the data, padded to 4 bytes; the "TRAILER!!!" entry
ends it.
"""
import argparse
import gzip
import os
import stat
import sys


class Cpio:
    def __init__(self):
        self.chunks = []
        self.ino = 1

    def entry(self, name, mode, data=b"", rdev=(0, 0), nlink=1):
        name_b = name.encode() + b"\0"
        fields = [self.ino, mode, 0, 0, nlink, 0, len(data), 0, 0,
                  rdev[0], rdev[1], len(name_b), 0]
        self.ino += 1
        hdr = b"070701" + b"".join(b"%08X" % f for f in fields)
        self.chunks.append(hdr + name_b)
        self.pad()
        self.chunks.append(data)
        self.pad()

    def pad(self):
        n = sum(len(c) for c in self.chunks)
        self.chunks.append(b"\0" * (-n % 4))

    def bytes(self):
        self.ino = 0
        self.entry("TRAILER!!!", 0)
        return b"".join(self.chunks)


def add_tree(cpio, root):
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        rel_dir = os.path.relpath(dirpath, root)
        names = sorted(dirnames + filenames)
        for n in names:
            full = os.path.join(dirpath, n)
            rel = os.path.normpath(os.path.join(rel_dir, n))
            st = os.lstat(full)
            perm = stat.S_IMODE(st.st_mode)
            if stat.S_ISLNK(st.st_mode):
                cpio.entry(rel, stat.S_IFLNK | 0o777, os.readlink(full).encode())
            elif stat.S_ISDIR(st.st_mode):
                cpio.entry(rel, stat.S_IFDIR | perm, nlink=2)
            elif stat.S_ISREG(st.st_mode):
                with open(full, "rb") as f:
                    cpio.entry(rel, stat.S_IFREG | perm, f.read())
            else:
                sys.exit(f"mkcpio: {full}: not a file, directory or link (use --nod)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("root")
    ap.add_argument("--nod", nargs=5, action="append", default=[],
                    metavar=("PATH", "MODE", "MAJOR", "MINOR", "TYPE"))
    a = ap.parse_args()
    if not os.path.isdir(a.root):
        sys.exit(f"mkcpio: {a.root}: not a directory")
    cpio = Cpio()
    add_tree(cpio, a.root)
    for path, mode, major, minor, kind in a.nod:
        if kind not in ("c", "b"):
            sys.exit(f"mkcpio: --nod {path}: type must be c or b")
        fmt = stat.S_IFCHR if kind == "c" else stat.S_IFBLK
        cpio.entry(path.lstrip("/"), fmt | int(mode, 8),
                   rdev=(int(major), int(minor)))
    tmp = a.out + ".tmp"
    with open(tmp, "wb") as f:
        f.write(gzip.compress(cpio.bytes(), compresslevel=9, mtime=0))
    os.replace(tmp, a.out)


if __name__ == "__main__":
    main()
