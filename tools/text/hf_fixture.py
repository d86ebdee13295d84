#!/usr/bin/env python3
"""Writes the parity fixture that checks our ByteBPE against Hugging Face `tokenizers`.

Loads the tokenizer.json that `workbench bpe train` wrote for the tiny English sample, and
records for each test string the pre-tokenizer pieces and the ids that Python's `tokenizers`
gives. `Tests/TokenizersTests/ByteBPEHuggingFaceTests.swift` loads the same tokenizer.json and
must produce identical pieces and ids.

Regenerate (needs `pip install tokenizers`):
    .build/release/workbench bpe train datasets/samples/text/english-sample.txt \
        --vocab-size 512 --out datasets/samples/text/sample-bpe512.tokenizer.json
    python3 tools/text/hf_fixture.py
"""
import json, os
import tokenizers
from tokenizers import Tokenizer

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
SAMPLES = os.path.join(ROOT, "datasets", "samples", "text")

STRINGS = [
    "In the beginning God created the heaven and the earth.",
    "Who's there? Nay, answer me: stand, and unfold yourself.",
    "I'm sure you'll see they've gone, he'd said; we're off. It's HIS'S.",
    " 's ''s 'S 'Ll x'd",
    "  two spaces,   three, trailing   ",
    "tabs\tand\nnewlines\n\n\nand\r\nwindows lines \n",
    "numbers 42, 3.14159, 1,000,000 and 2024-11-23",
    "punctuation!!! ... ?!? -- (brackets) [1] {x} <tag/> \"quotes\" `code`",
    "café naïve résumé coöperate — “curly” ‘quotes’ … €5",
    "Ελληνικά, русский, 中文字符, 日本語のテキスト, 한국어",
    "emoji 😀👍🏽 and flags 🇫🇷 zero-width\u200bjoiner",
    "non-breaking\u00a0space and ideographic\u3000space and em\u2003space",
    "combining e\u0301 accents and \u0661\u0662\u0663 Arabic digits and \u2163 roman",
    "   \n  leading whitespace",
    "",
    " ",
    "a",
    "Mr. Bennet's   daughters\n\nChapter 1\n",
    # Long pieces (over 64 bytes) take the heap-based merge path in ByteBPE.
    "theearthwasformlessandvoidanddarknesswasuponthefaceofthedeepandthespiritofgodmovedupon" * 3,
    "=" * 150 + " " + "1234567890" * 12 + " " + "aaaaaaaaaa" * 13,
    "long" + "中文字符日本語" * 20 + " end",
]


def main():
    tok_path = os.path.join(SAMPLES, "sample-bpe512.tokenizer.json")
    tok = Tokenizer.from_file(tok_path)
    with open(os.path.join(SAMPLES, "english-sample.txt"), encoding="utf-8") as f:
        sample = f.read()
    cases = []
    for s in STRINGS + [sample[:2000]]:
        pieces = [p for p, _ in tok.pre_tokenizer.pre_tokenize_str(s)]
        cases.append({"text": s, "pieces": pieces, "ids": tok.encode(s).ids})
    out = {
        "generated_by": "tools/text/hf_fixture.py (generated, do not edit; regenerate with the commands in its doc string)",
        "tokenizers_version": tokenizers.__version__,
        "tokenizer": "sample-bpe512.tokenizer.json",
        "cases": cases,
    }
    with open(os.path.join(SAMPLES, "hf-parity.json"), "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print("wrote %d cases" % len(cases))


if __name__ == "__main__":
    main()
