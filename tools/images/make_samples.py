#!/usr/bin/env python3
"""Writes the tiny test PNGs under datasets/samples/images/ and the fixture expected.json.

Each variant (bit depth, colour type, palette with tRNS, interlacing) holds a known pixel
array; expected.json gives the RGB values the workbench must read, computed here
independently of libpng:
  - 16-bit samples become 8-bit by round(v * 255 / 65535) (the files carry no gAMA chunk and
    the reader treats them as sRGB-encoded, not linear);
  - 16-bit files that are interlaced or have alpha may differ by 1 (they take libpng's
    16-bit linear path: libpng 1.6.39's 16-to-8-bit path garbles Adam7 images, libpng issue 853);
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


def main():
    os.makedirs(OUT, exist_ok=True)
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
