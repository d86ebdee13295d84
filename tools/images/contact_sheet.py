#!/usr/bin/env python3
"""Draws the first 48 records of an image or pair shard as a PNG contact sheet, and prints
their captions, to look at what a recipe produced.

Usage: python3 tools/images/contact_sheet.py DATA/NAME/train.bin OUT.png
(reads DATA/NAME/manifest.json for the record length, resolution and caption length;
needs pypng: pip install pypng)
"""
import array, json, os, re, sys
import png


def main(bin_path, out_path, n=48):
    m = json.load(open(os.path.join(os.path.dirname(bin_path), "manifest.json")))
    L = m["record_length"]
    R = int(re.search(r"(\d+)$", m["tokenizer"]).group(1))
    cap = int(m.get("extra", {}).get("caption_length", 0)) if m["modality"] == "pair" else 0
    a = array.array("H")
    a.frombytes(open(bin_path, "rb").read()[: 2 * L * n])
    if sys.byteorder != "little":
        a.byteswap()
    n = len(a) // L
    rows = [[255] * (3 * 8 * (R + 2)) for _ in range(((n + 7) // 8) * (R + 2))]
    for i in range(n):
        r = a[i * L:(i + 1) * L]
        if r[0] == 512:
            img, c = r[1 + cap:], r[1:1 + cap]
        elif r[0] == 513:
            img, c = r[1:1 + 3 * R * R], r[1 + 3 * R * R:]
        else:
            img, c = r[1:], []
        print(i, bytes(x - 256 for x in c if 256 <= x < 512).decode(errors="replace") if c else "")
        if len(img) != 3 * R * R or img[0] > 255:
            continue  # blanked image
        gx, gy = i % 8, i // 8
        for y in range(R):
            for x in range(R):
                for k in range(3):
                    rows[gy * (R + 2) + y][3 * (gx * (R + 2) + x) + k] = img[3 * (y * R + x) + k]
    png.Writer(8 * (R + 2), len(rows), greyscale=False).write(open(out_path, "wb"), rows)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
