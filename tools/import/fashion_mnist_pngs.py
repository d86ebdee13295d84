#!/usr/bin/env python3
"""Write the first N images of a prepared fashion-mnist shard folder as PNG files plus a
labels.csv, to try `workbench data import images` on a real folder (standard library only).

    python3 tools/import/fashion_mnist_pngs.py data/fashion-mnist /tmp/fm-pngs --count 200
    workbench data import images /tmp/fm-pngs --labels /tmp/fm-pngs/labels.csv --size 8 --name fm200 --data-dir /tmp/imported

Any prepared fashion-mnist folder works (fashion-mnist, -16 or -8: `workbench data prepare fashion-mnist-8`).
"""
import argparse, json, os, struct, zlib


def png_bytes(width, height, rgb):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = b"".join(b"\x00" + bytes(rgb[3 * width * y:3 * width * (y + 1)]) for y in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("shards"); ap.add_argument("out"); ap.add_argument("--count", type=int, default=200)
    a = ap.parse_args()
    manifest = os.path.join(a.shards, "manifest.json")
    if not os.path.exists(manifest):
        prepared = [d for d in ("fashion-mnist", "fashion-mnist-16", "fashion-mnist-8")
                    if os.path.exists(os.path.join(os.path.dirname(os.path.normpath(a.shards)) or ".", d, "manifest.json"))]
        hint = ("; prepared beside it: " + ", ".join(prepared)) if prepared else \
            "; prepare one first, e.g. `workbench data prepare fashion-mnist-8` (then pass data/fashion-mnist-8)"
        raise SystemExit("fashion_mnist_pngs: '%s' is not a prepared dataset (no manifest.json)%s" % (a.shards, hint))
    m = json.load(open(manifest))
    if "train.labels" not in os.listdir(a.shards) or "classes" not in m.get("extra", {}):
        raise SystemExit("fashion_mnist_pngs: '%s' has no labels (train.labels and the class names); use a fashion-mnist folder" % a.shards)
    rec = m["record_length"]; side = int(((rec - 1) // 3) ** 0.5)
    classes = m["extra"]["classes"].split(",")
    labels = open(os.path.join(a.shards, "train.labels"), "rb").read(a.count)
    with open(os.path.join(a.shards, "train.bin"), "rb") as f:
        data = f.read(2 * rec * a.count)
    tokens = struct.unpack("<%dH" % (len(data) // 2), data)
    lines = ["path,label"]
    for i in range(a.count):
        body = tokens[i * rec + 1:(i + 1) * rec]
        name = classes[labels[i]].replace("/", "-").replace(" ", "-").lower()
        rel = "%s/%04d.png" % (name, i)
        os.makedirs(os.path.join(a.out, name), exist_ok=True)
        with open(os.path.join(a.out, rel), "wb") as f:
            f.write(png_bytes(side, side, body))
        lines.append('%s,"%s"' % (rel, classes[labels[i]]))
    with open(os.path.join(a.out, "labels.csv"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("wrote %d PNGs (%dx%d) and labels.csv to %s" % (a.count, side, side, a.out))


if __name__ == "__main__":
    main()
