#!/usr/bin/env python3
"""Writes the tiny test PNGs under datasets/samples/images/ and the fixture expected.json.

Each variant (bit depth, colour type, palette with tRNS, interlacing) holds a known pixel
array; expected.json gives the RGB values the workbench must read, computed here
independently of libpng:
  - 16-bit samples become 8-bit by round(v * 255 / 65535) (the files carry no gAMA chunk and
    the reader treats them as sRGB-encoded, not linear);
  - 16-bit files that are interlaced or have alpha may differ by 1 (they take libpng's
    16-bit linear path: libpng 1.6.39's 16-to-8-bit path garbles Adam7 images, libpng issue 853);
  - files with a gAMA chunk are re-encoded by libpng to gamma 1/2.2 (see gamma_gray);
  - alpha is composited on white in 8-bit sRGB space: out = (c*a + 255*(255-a) + 127) // 255.
Also writes corrupt files (truncated, bad CRC, not a PNG) and a tiny IDX pair.

Regenerate with:  pip install pypng && python3 tools/images/make_samples.py
"""
import json, os, struct, zlib
import png  # pypng

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "datasets", "samples", "images")
OUT = os.path.normpath(OUT)
W, H = 5, 4          # small, odd, not square
WI, HI = 9, 7        # interlaced files: big enough for every Adam7 pass


def to8(v16):
    return (v16 * 255 + 32767) // 65535


def over_white(c, a):
    return (c * a + 255 * (255 - a) + 127) // 255


def val(x, y, k, mod):
    """A deterministic, varied sample value in 0..<mod, spread over the whole range."""
    v = (x * 37 + y * 91 + k * 53 + x * y * 17 + 11) % 256
    if mod == 65536:
        return v * 257 + (x * 131 + y * 71 + k * 29) % 257 - 128 if 0 < v < 255 else v * 257
    return v * mod // 256


files = {}


def record(name, w, h, rgb, tol=0):
    files[name] = {"width": w, "height": h, "rgb": rgb, "tolerance": tol}


def write(name, w, h, rows, **kw):
    with open(os.path.join(OUT, name), "wb") as f:
        png.Writer(w, h, **kw).write(f, rows)


def gray(name, depth, alpha, interlace=False, w=W, h=H):
    mx = (1 << depth) - 1
    rows, rgb = [], []
    for y in range(h):
        row = []
        for x in range(w):
            g = val(x, y, 0, mx + 1)
            a = val(x, y, 3, mx + 1) if alpha else mx
            row += [g, a] if alpha else [g]
            g8 = to8(g) if depth == 16 else g * 255 // mx
            a8 = to8(a) if depth == 16 else a * 255 // mx
            v = over_white(g8, a8)
            rgb += [v, v, v]
        rows.append(row)
    write(name, w, h, rows, greyscale=True, alpha=alpha, bitdepth=depth, interlace=interlace)
    record(name, w, h, rgb, tol=1 if (depth == 16 and (alpha or interlace)) else 0)


def colour(name, depth, alpha, interlace=False, w=W, h=H):
    mx = (1 << depth) - 1
    rows, rgb = [], []
    for y in range(h):
        row = []
        for x in range(w):
            c = [val(x, y, k, mx + 1) for k in range(3)]
            a = val(x, y, 3, mx + 1) if alpha else mx
            row += c + ([a] if alpha else [])
            c8 = [to8(v) if depth == 16 else v for v in c]
            a8 = to8(a) if depth == 16 else a
            rgb += [over_white(v, a8) for v in c8]
        rows.append(row)
    write(name, w, h, rows, greyscale=False, alpha=alpha, bitdepth=depth, interlace=interlace)
    record(name, w, h, rgb, tol=1 if (depth == 16 and (alpha or interlace)) else 0)


def palette(name, trns):
    pal = [(val(i, 0, 0, 256), val(i, 1, 1, 256), val(i, 2, 2, 256)) for i in range(6)]
    if trns:
        pal = [p + (a,) for p, a in zip(pal, [255, 0, 128, 64, 200, 255])]
    rows, rgb = [], []
    for y in range(H):
        row = []
        for x in range(W):
            i = (x + 2 * y) % len(pal)
            row.append(i)
            e = pal[i]
            a = e[3] if trns else 255
            rgb += [over_white(v, a) for v in e[:3]]
        rows.append(row)
    write(name, W, H, rows, palette=pal, bitdepth=8)
    record(name, W, H, rgb)


def gamma_gray(name, file_gamma):
    """8-bit gray with a gAMA chunk: libpng re-encodes to gamma 1/2.2 (a pure power law), so
    the expected value is 255 * (v/255) ** (1 / (2.2 * file_gamma))."""
    v = [0, 10, 50, 100, 128, 200, 255]
    write(name, len(v), 1, [v], greyscale=True, bitdepth=8, gamma=file_gamma)
    rgb = []
    for x in v:
        e = round(255 * (x / 255) ** (1 / (2.2 * file_gamma)))
        rgb += [e, e, e]
    record(name, len(v), 1, rgb, tol=1)


def main():
    os.makedirs(OUT, exist_ok=True)
    gamma_gray("gray8_gamma10.png", 1.0)
    gamma_gray("gray8_gamma05.png", 0.5)
    gray("gray8.png", 8, False)
    gray("gray16.png", 16, False)
    gray("gray4.png", 4, False)
    gray("graya8.png", 8, True)
    gray("graya16.png", 16, True)
    colour("rgb8.png", 8, False)
    colour("rgb16.png", 16, False)
    colour("rgba8.png", 8, True)
    colour("rgba16.png", 16, True)
    palette("palette.png", False)
    palette("palette_trns.png", True)
    colour("rgb8_interlaced.png", 8, False, interlace=True, w=WI, h=HI)
    colour("rgba8_interlaced.png", 8, True, interlace=True, w=WI, h=HI)
    gray("gray8_interlaced.png", 8, False, interlace=True, w=WI, h=HI)
    gray("gray16_interlaced.png", 16, False, interlace=True, w=WI, h=HI)
    gray("graya16_interlaced.png", 16, True, interlace=True, w=WI, h=HI)
    colour("rgb16_interlaced.png", 16, False, interlace=True, w=WI, h=HI)
    colour("rgba16_interlaced.png", 16, True, interlace=True, w=WI, h=HI)

    good = open(os.path.join(OUT, "rgb8.png"), "rb").read()
    with open(os.path.join(OUT, "corrupt_truncated.png"), "wb") as f:
        f.write(good[: len(good) // 2])
    bad = bytearray(good)
    bad[29] ^= 0xFF  # inside IHDR's CRC (bytes 29..32)
    with open(os.path.join(OUT, "corrupt_crc.png"), "wb") as f:
        f.write(bytes(bad))
    with open(os.path.join(OUT, "corrupt_not_png.png"), "wb") as f:
        f.write(b"this is a text file, not a PNG\n")

    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump({"generator": "tools/images/make_samples.py", "files": files}, f, indent=1, sort_keys=True)
        f.write("\n")

    # Tiny IDX pair: 3 images of 4x3 (idx3, big-endian dims) and their labels (idx1), plus a gzipped copy.
    import gzip
    n, rows_, cols = 3, 4, 3
    pixels = bytes((i * 29 + 7) % 256 for i in range(n * rows_ * cols))
    idx3 = struct.pack(">IIII", 0x00000803, n, rows_, cols) + pixels
    idx1 = struct.pack(">II", 0x00000801, n) + bytes([7, 0, 9])
    open(os.path.join(OUT, "tiny-images-idx3-ubyte"), "wb").write(idx3)
    open(os.path.join(OUT, "tiny-labels-idx1-ubyte"), "wb").write(idx1)
    with gzip.GzipFile(os.path.join(OUT, "tiny-images-idx3-ubyte.gz"), "wb", mtime=0) as g:
        g.write(idx3)
    open(os.path.join(OUT, "tiny-truncated-idx3-ubyte"), "wb").write(idx3[:30])
    open(os.path.join(OUT, "tiny-badmagic-idx3-ubyte"), "wb").write(b"\x00\x00\x09\x03" + idx3[4:])


if __name__ == "__main__":
    main()


# ---------------------------------------------------------------------------------------------
# Tiny colour-bitmap fonts (CBLC/CBDT + cmap) and a tiny UnicodeData.txt for the emoji reader.

def png_bytes(w, h, rgba_pixel, alpha=False):
    import io
    rows = [list(rgba_pixel[: 4 if alpha else 3]) * w for _ in range(h)]
    b = io.BytesIO()
    png.Writer(w, h, greyscale=False, alpha=alpha).write(b, rows)
    return b.getvalue()


def sfnt(tables):
    tags = sorted(tables)
    n = len(tags)
    head = struct.pack(">IHHHH", 0x00010000, n, 16, 0, 0)
    offset = 12 + 16 * n
    recs, body = b"", b""
    for t in tags:
        data = tables[t]
        recs += t.encode() + struct.pack(">III", 0, offset + len(body), len(data))
        body += data + b"\0" * ((4 - len(data) % 4) % 4)
    return head + recs + body


def cblc_cbdt(strikes):
    """strikes: list of (ppem, subtables); subtable: (indexFormat, imageFormat, [(gid, png or None)])."""
    cbdt = bytearray(struct.pack(">HH", 3, 0))
    sizes, arrays = [], []
    base = 8 + 48 * len(strikes)
    blob = bytearray()
    for ppem, subs in strikes:
        array_off = base + len(blob)
        arr, subdata = b"", b""
        head = 8 * len(subs)
        for index_format, image_format, glyphs in subs:
            data_off = len(cbdt)
            offsets, gid_pairs, cur = [], [], 0
            for gid, p in glyphs:
                offsets.append(cur)
                gid_pairs.append((gid, cur))
                if p is not None:
                    metrics = bytes([4, 4, 0, 4, 4]) if image_format == 17 else bytes([4, 4, 0, 4, 4, 0, 0, 4])
                    rec = metrics + struct.pack(">I", len(p)) + p
                    cbdt += rec
                    cur += len(rec)
            offsets.append(cur)
            gid_pairs.append((0, cur))
            first, last = glyphs[0][0], glyphs[-1][0]
            if index_format == 1:
                sub = struct.pack(">HHI", 1, image_format, data_off) + b"".join(struct.pack(">I", o) for o in offsets)
            elif index_format == 4:
                real = [(g, o) for (g, p), (_, o) in zip(glyphs, gid_pairs) if p is not None]
                real.append((0, cur))
                sub = struct.pack(">HHII", 4, image_format, data_off, len(real) - 1) + b"".join(struct.pack(">HH", g, o) for g, o in real)
            arr += struct.pack(">HHI", first, last, head + len(subdata))
            subdata += sub
        blob += arr + subdata
        n_sub = len(subs)
        sizes.append(struct.pack(">IIII", array_off, len(arr) + len(subdata), n_sub, 0) + b"\0" * 24
                     + struct.pack(">HHBBBb", 0, 0, ppem, ppem, 32, 1))
    cblc = struct.pack(">HHI", 3, 0, len(strikes)) + b"".join(sizes) + bytes(blob)
    return cblc, bytes(cbdt)


def cmap12(mapping):
    groups = b"".join(struct.pack(">III", c, c, g) for c, g in sorted(mapping.items()))
    sub = struct.pack(">HHIII", 12, 0, 16 + len(groups), 0, len(mapping)) + groups
    return struct.pack(">HHHHI", 0, 1, 3, 10, 12) + sub


def cmap4():
    # U+2600..U+2601 through glyphIdArray [5, 0]; U+263A -> 1 and U+2764 -> 2 by delta; end segment.
    segs = [(0x2600, 0x2601, 0, True), (0x263A, 0x263A, (1 - 0x263A) & 0xFFFF, False),
            (0x2764, 0x2764, (2 - 0x2764) & 0xFFFF, False), (0xFFFF, 0xFFFF, 1, False)]
    n = len(segs)
    ends = b"".join(struct.pack(">H", s[1]) for s in segs)
    starts = b"".join(struct.pack(">H", s[0]) for s in segs)
    deltas = b"".join(struct.pack(">H", s[2]) for s in segs)
    ros = b"".join(struct.pack(">H", 2 * n if s[3] else 0) for s in segs)  # segment 0 points at glyphIdArray[0]
    glyph_ids = struct.pack(">HH", 5, 0)
    body = struct.pack(">HHHH", 2 * n, 0, 0, 0) + ends + b"\0\0" + starts + deltas + ros + glyph_ids
    sub = struct.pack(">HHH", 4, 6 + len(body), 0) + body
    return struct.pack(">HHHHI", 0, 1, 3, 1, 12) + sub


def fonts():
    red = png_bytes(4, 4, (200, 0, 0, 255))
    yellow = png_bytes(4, 4, (250, 250, 0, 255))
    heart = png_bytes(3, 2, (0, 0, 250, 128), alpha=True)
    green = png_bytes(2, 2, (0, 160, 0, 255))
    letter = png_bytes(2, 2, (9, 9, 9, 255))
    # Font A: cmap 12; a small strike (ppem 20) and the large one (ppem 40) the reader must pick.
    cblc, cbdt = cblc_cbdt([
        (20, [(1, 17, [(1, yellow), (2, heart)])]),
        (40, [(1, 17, [(1, red), (2, heart)]), (4, 18, [(5, green), (6, None), (7, letter)])]),
    ])
    cmap = cmap12({0x1F600: 1, 0x2764: 2, 0x1F431: 5, 0x41: 7, 0x1F3FB: 5, 0x1F680: 9})
    open(os.path.join(OUT, "tiny-emoji-cmap12.ttf"), "wb").write(sfnt({"CBLC": cblc, "CBDT": cbdt, "cmap": cmap}))
    # Font B: cmap 4, one strike, index format 1 with empty glyphs 3 and 4.
    cblc, cbdt = cblc_cbdt([(30, [(1, 17, [(1, red), (2, heart), (3, None), (4, None), (5, green)])])])
    open(os.path.join(OUT, "tiny-emoji-cmap4.ttf"), "wb").write(sfnt({"CBLC": cblc, "CBDT": cbdt, "cmap": cmap4()}))
    names = ["0041;LATIN CAPITAL LETTER A;Lu;0;L;;;;;N;;;;0061;", "2600;BLACK SUN WITH RAYS;So;0;ON;;;;;N;;;;;",
             "263A;WHITE SMILING FACE;So;0;ON;;;;;N;;;;;", "2764;HEAVY BLACK HEART;So;0;ON;;;;;N;;;;;",
             "1F3FB;EMOJI MODIFIER FITZPATRICK TYPE-1-2;Sk;0;ON;;;;;N;;;;;", "1F431;CAT FACE;So;0;ON;;;;;N;;;;;",
             "1F600;GRINNING FACE;So;0;ON;;;;;N;;;;;", "1F680;ROCKET;So;0;ON;;;;;N;;;;;"]
    open(os.path.join(OUT, "tiny-UnicodeData.txt"), "w").write("\n".join(names) + "\n")


if __name__ == "__main__":
    fonts()
