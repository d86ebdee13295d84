#!/usr/bin/env python3
"""Extracts Jane Austen's novels from the unpacked Debian package r-cran-janeaustenr.

The package keeps its data in an R lazy-load database: `data/Rdata.rdx` (a gzip-compressed R
serialization of a list mapping each object name to an offset and length in `Rdata.rdb`) and
`data/Rdata.rdb` (blobs of a 4-byte big-endian length followed by zlib/bzip2/xz-compressed R
serialization). Each novel is a character vector of lines. Standard library only, so that
`workbench data prepare english` can call it on any Debian machine.

    python3 tools/text/janeausten_text.py <janeaustenr-dir> <out-dir>

writes <out-dir>/<name>.txt for every character vector found (emma, persuasion, ...).
"""
import bz2, gzip, lzma, os, struct, sys, zlib


class RReader:
    """Reads R's XDR serialization format (versions 2 and 3), enough for data objects."""

    def __init__(self, data):
        self.d, self.p, self.refs = data, 0, []

    def int(self):
        v = struct.unpack_from(">i", self.d, self.p)[0]
        self.p += 4
        return v

    def bytes(self, n):
        b = self.d[self.p:self.p + n]
        self.p += n
        return b

    def read(self):
        if self.bytes(2) != b"X\n":
            raise ValueError("not an XDR R serialization")
        version = self.int(); self.int(); self.int()
        if version == 3:
            self.bytes(self.int())  # native encoding name
        return self.item()

    def item(self):
        flags = self.int()
        t, has_attr, has_tag = flags & 0xFF, flags & (1 << 9), flags & (1 << 10)
        if t in (254, 253, 242, 241, 251, 247, 250, 249, 248):  # NIL, envs, missing, unbound
            return None
        if t == 255:  # REFSXP
            idx = flags >> 8
            return self.refs[(idx if idx else self.int()) - 1]
        if t == 1:  # SYMSXP
            name = self.item()
            self.refs.append(name)
            return name
        if t == 9:  # CHARSXP
            n = self.int()
            return None if n == -1 else self.bytes(n).decode("utf-8", "replace")
        if t in (2, 6, 17, 5):  # LISTSXP, LANGSXP, DOTSXP, PROMSXP-like pairlists
            out = []
            attr = self.item() if has_attr else None
            tag = self.item() if has_tag else None
            out.append((tag, self.item()))
            rest = self.item()
            if isinstance(rest, list):
                out.extend(rest)
            return out
        if t in (16, 19, 20):  # STRSXP, VECSXP, EXPRSXP
            n = self.int()
            v = [self.item() for _ in range(n)]
        elif t in (10, 13):  # LGLSXP, INTSXP
            n = self.int()
            v = list(struct.unpack_from(">%di" % n, self.d, self.p)); self.p += 4 * n
        elif t == 14:  # REALSXP
            n = self.int()
            v = list(struct.unpack_from(">%dd" % n, self.d, self.p)); self.p += 8 * n
        else:
            raise ValueError("unsupported R type %d at byte %d" % (t, self.p))
        if has_attr:
            self.item()
        return (t, v)


def decompress_blob(blob):
    n = struct.unpack_from(">I", blob, 0)[0]
    body = blob[4:]
    if body[:1] == b"Z":
        return zlib.decompress(body[1:])
    if body[:1] == b"2":
        return bz2.decompress(body[1:])
    if body[:1] == b"X":
        return lzma.decompress(body[1:])
    if body[:1] == b"0":
        return body[1:]
    out = zlib.decompress(body)
    if len(out) != n:
        raise ValueError("blob length %d, expected %d" % (len(out), n))
    return out


def main():
    src, out_dir = sys.argv[1], sys.argv[2]
    data_dir = os.path.join(src, "data")
    rdx = gzip.open(os.path.join(data_dir, "Rdata.rdx")).read()
    # The index is a list (variables, references, compressed); `variables` holds one
    # (offset, length) pair per object, and its `names` attribute the object names.
    index = RReader(rdx).read()
    variables = index[1][0][1]
    names = NameScan(rdx).names()
    if len(names) != len(variables):
        raise ValueError("Rdata.rdx: %d names for %d objects" % (len(names), len(variables)))
    with open(os.path.join(data_dir, "Rdata.rdb"), "rb") as f:
        rdb = f.read()
    os.makedirs(out_dir, exist_ok=True)
    for name, entry in zip(names, variables):
        off, length = (int(x) for x in entry[1])
        obj = RReader(decompress_blob(rdb[off:off + length])).read()
        if isinstance(obj, tuple) and obj[0] == 16:  # a character vector: one novel, one line each
            text = "\n".join("" if s is None else s for s in obj[1]) + "\n"
            tmp = os.path.join(out_dir, "." + name + ".txt.tmp")
            with open(tmp, "w", encoding="utf-8") as g:
                g.write(text)
            os.replace(tmp, os.path.join(out_dir, name + ".txt"))
            print("%s: %d lines" % (name, len(obj[1])))


class NameScan(RReader):
    """Reads the .rdx index keeping the `names` attribute of its `variables` element."""

    def names(self):
        self.bytes(2); version = self.int(); self.int(); self.int()
        if version == 3:
            self.bytes(self.int())
        self.int(); n = self.int()  # outer VECSXP
        flags = self.int()  # variables VECSXP
        count = self.int()
        for _ in range(count):
            self.item()
        attrs = self.item()  # pairlist of attributes
        for tag, value in attrs:
            if tag == "names":
                return value[1]
        raise ValueError("no names in Rdata.rdx")


if __name__ == "__main__":
    main()
