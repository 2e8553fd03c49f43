"""Repair accuracy on the held-out split of the corpus (never trained on), printed for `make eval`.

- folded: every mark removed (đ -> d), then repaired;
- clean: the truth itself through repair (must stay unchanged);
- eng / vie: the held-out documents rendered and OCR'd (corpus/ocr/<mode>/, made by
  scripts/make_ocr_pairs.py), raw OCR and repaired, aligned to the truth;
- real text: the project's transcriptions of real pages (real_truth/), folded and clean, as above;
- confidence calibration and flags; speed; pyvi's add_accents as the reference.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

import regex

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.text.corpus import LEGAL_ARCHIVE, documents, legal_documents  # noqa: E402
from pipeline.text.vietnamese import fold, normalize_text  # noqa: E402

_HAS_LETTER = regex.compile(r"\p{L}")


def heldout_lines() -> list[str]:
    lines = []
    for path in documents(heldout=True):
        lines += [normalize_text(raw.strip()) for raw in path.read_text("utf-8").splitlines() if raw.strip()]
    return lines


def legal_heldout_lines(limit: int = 1500) -> list[str]:
    """Lines of the held-out vn-legal documents (5 tokens or more), spread evenly over them."""
    lines = []
    for _, text in legal_documents(heldout=True):
        lines += [normalize_text(raw.strip()) for raw in text.splitlines() if len(raw.split()) >= 5]
    step = max(1, len(lines) // limit)
    return lines[::step][:limit]


def restore_folded(repairer, truth: list[str]) -> tuple[list[str], list[tuple[float, bool, bool]]]:
    """Every mark removed from each line, then repaired: the output lines and, per syllable, (conf, flag, right)."""
    from pipeline.text.repair import Params

    folded = [fold(line) for line in truth]
    params = Params.estimate("\n".join(folded).split(), repairer.lexicon)
    out_lines = []
    confs: list[tuple[float, bool, bool]] = []
    for t_line, f_line in zip(truth, folded):
        results = repairer.repair_tokens(f_line.split(), params)
        out_lines.append(" ".join(r.text for r in results if r.text))
        if len(results) == len(t_line.split()):
            for r, t in zip(results, t_line.split()):
                if _HAS_LETTER.search(t):
                    confs.append((r.conf, r.flag, r.text == t))
    return out_lines, confs


def unchanged(repairer, truth: list[str]) -> float:
    """Share of the tokens of clean lines that repair leaves as they are."""
    out = [repairer.repair_text(line) for line in truth]
    same = sum(1 for t_line, o_line in zip(truth, out) for t, o in zip(t_line.split(), o_line.split()) if t == o)
    return same / max(1, sum(len(line.split()) for line in truth))


def word_accuracy(truth: list[str], output: list[str]) -> tuple[int, int]:
    right = total = 0
    for t_line, o_line in zip(truth, output):
        t_tokens, o_tokens = t_line.split(), o_line.split()
        if len(t_tokens) != len(o_tokens):
            total += sum(1 for t in t_tokens if _HAS_LETTER.search(t))
            continue
        for t, o in zip(t_tokens, o_tokens):
            if _HAS_LETTER.search(t):
                total += 1
                right += t == o
    return right, total


def align_indices(truth: list[str], output: list[str]) -> list[tuple[int | None, int | None]]:
    """Token alignment by edit distance over folded forms (for OCR output, which splits and merges):
    pairs of indices into truth and output, None where a side has no token."""
    from rapidfuzz.distance import Levenshtein

    t_f = [fold(t.lower()) for t in truth]
    o_f = [fold(o.lower()) for o in output]
    vocab = {w: chr(0x4E00 + i) for i, w in enumerate(sorted(set(t_f) | set(o_f)))}
    pairs: list[tuple[int | None, int | None]] = []
    ti = oi = 0
    for op, i, j in Levenshtein.editops("".join(vocab[w] for w in t_f), "".join(vocab[w] for w in o_f)):
        while ti < i and oi < j:
            pairs.append((ti, oi))
            ti += 1
            oi += 1
        if op == "replace":
            pairs.append((i, j))
            ti, oi = i + 1, j + 1
        elif op == "delete":
            pairs.append((i, None))
            ti = i + 1
        else:
            pairs.append((None, j))
            oi = j + 1
    while ti < len(truth) and oi < len(output):
        pairs.append((ti, oi))
        ti += 1
        oi += 1
    pairs += [(t, None) for t in range(ti, len(truth))] + [(None, o) for o in range(oi, len(output))]
    return pairs


def results_right(truth: str, results: list, near: int = 0) -> dict[int, bool]:
    """Per repaired token (its index in `results`), whether it is the truth's word where it aligns to it; a token the
    repair parted (`theo.cdc`: theo các) is right where all its words are, a word the truth lacks is wrong. `near`:
    a word that is not the truth's there but stands within that many of its words counts as right (two columns
    the OCR read in another order than the truth; reading order is the layout's business)."""
    words = [(k, w) for k, r in enumerate(results) for w in (strip_token(part) for part in r.text.split()) if w]
    want = [strip_token(t) for t in truth.split() if strip_token(t)]
    at = 0
    right: dict[int, bool] = {}
    for t, o in align_indices(want, [w for _, w in words]):
        at = t if t is not None else at
        if o is None:
            continue
        k, word = words[o]
        ok = (t is not None and want[t] == word) or (t is None or fold(want[t]) != fold(word)) and word in want[max(0, at - near) : at + near]
        right[k] = right.get(k, True) and ok
    return right


def align_tokens(truth: list[str], output: list[str]) -> list[tuple[str | None, str | None]]:
    return [(None if t is None else truth[t], None if o is None else output[o]) for t, o in align_indices(truth, output)]


STRIP = "“”\"'()[],.;:!?…"


def strip_token(token: str) -> str:
    return token.strip(STRIP)


def ocr_accuracy(truth_text: str, text: str) -> tuple[int, int, int, int]:
    """Syllables right over all truth syllables, and over those the OCR read (aligned to a token)."""
    truth = [strip_token(t) for t in truth_text.split() if _HAS_LETTER.search(t)]
    out = [strip_token(o) for o in text.split() if strip_token(o)]
    pairs = [(t, o) for t, o in align_tokens(truth, out) if t is not None]
    right = sum(1 for t, o in pairs if t == o)
    read = [(t, o) for t, o in pairs if o is not None and fold(t.lower()) == fold(o.lower())]
    return right, len(truth), sum(1 for t, o in read if t == o), len(read)


RATES = (0.02, 0.05, 0.08, 0.10, 0.15)
SAMPLE = ROOT.parent / "shared" / "samples" / "phu-lien-311-BC-UBND.ocr.txt"
REAL_TRUTH = ROOT / "scripts" / "real_truth"
SAMPLE_TRUTH = REAL_TRUTH / "phu-lien-311-BC-UBND.txt"  # the project's transcription of it
PREVIOUS = Path(__file__).with_name("eval_repair_previous.json")


def render_report(repairer) -> dict[str, float]:
    """All held-out documents rendered, read by Tesseract and repaired as a whole (scripts/build_confidence.py
    reads and caches them): order-free token F1 (eval_real.token_f1) of the raw OCR and of the repair."""
    from build_confidence import MODES, POOR_ENG, read_renders
    from eval_real import token_f1

    from pipeline.text.repair import Params

    labels = {"eng": "eng, clean page (300 DPI)", POOR_ENG: "eng, poor page (150 DPI, noise)", "vie": "vie, poor page (150 DPI, noise)"}
    figures = {}
    for mode in ("eng", POOR_ENG, "vie"):
        raw = fixed = 0.0
        renders = read_renders((mode,)) if mode not in MODES else [r for r in read_renders() if r["mode"] == mode]
        for render in renders:
            paragraphs = [[w for w, _ in para] for para in render["paragraphs"]]
            params = Params.estimate([w for para in paragraphs for w in para], repairer.lexicon)
            repaired = repairer.repair_paragraphs(paragraphs, params, [[c for _, c in para] for para in render["paragraphs"]])
            raw += token_f1(render["truth"], "\n".join(" ".join(p) for p in paragraphs))
            fixed += token_f1(render["truth"], "\n".join(" ".join(r.text for r in rs) for rs in repaired))
        print(f"{labels[mode]}: token F1 raw OCR {raw / len(renders):.4f} -> repaired {fixed / len(renders):.4f} ({len(renders)} held-out documents, mean)")
        figures[f"token F1 {mode}"] = fixed / len(renders)
    return figures


def confidence_report(repairer) -> dict[str, float]:
    """Reliability of the confidence, cross-validated by document: the calibration (build_confidence.calibrate)
    fitted on one half of the held-out renders and measured on the other, both ways round: expected calibration
    error, what the flags catch, and the share of errors caught at each flag rate."""
    import numpy as np
    from build_confidence import calibrate, collect

    from pipeline.text.confidence import Calibration, caught_at_rates, expected_calibration_error
    from pipeline.text.repair import Repairer

    uncalibrated = Repairer(repairer.lexicon, calibration=Calibration.identity())
    halves = {half: collect(uncalibrated, half) for half in (True, False)}
    scored: dict[str, list[tuple[float, bool, bool]]] = {}  # per kind: (conf, flag, right)
    for half, data in halves.items():
        calibration = calibrate(halves[not half])
        for kind, pairs in data.items():
            for r, ok in pairs:
                conf = calibration.probability(r.evidence)
                scored.setdefault(kind, []).append((conf, calibration.flags(r.evidence, conf), ok))
    print("confidence on held-out renders, cross-validated by document (fitted on one half, measured on the other, both ways);")
    print("errors caught when the least confident x% are flagged:")
    print(f"  {'input':13} {'words':>6} {'right':>7} {'ECE':>6} {'flagged':>8} {'caught':>7} {'conf>=0.9 right':>16}  " + " ".join(f"{r:.0%}".rjust(5) for r in RATES))
    figures = {}
    for kind, rows in scored.items():
        conf, flag, right = (np.array(column) for column in zip(*rows))
        high = conf >= 0.9
        caught = caught_at_rates(conf, right, RATES)
        print(
            f"  {kind:13} {len(rows):6} {right.mean():7.2%} {expected_calibration_error(conf, right):6.3f} {flag.mean():8.1%} "
            f"{(flag & ~right).sum() / max(1, (~right).sum()):7.1%} {right[high].mean():16.2%}  " + " ".join(f"{c:5.0%}" for c in caught)
        )
        figures |= {
            f"{kind} flagged": float(flag.mean()), f"{kind} caught": float((flag & ~right).sum() / max(1, (~right).sum())),
            f"{kind} conf>=0.9 right": float(right[high].mean()), f"{kind} ECE": expected_calibration_error(conf, right),
        }
    return figures


def sample_report(repairer) -> dict[str, float]:
    """The real garbled sample against the project's transcription of it (real_truth/, `SAMPLE_TRUTH`): the share
    of its syllables restored, aligned (as `ocr_accuracy`), words flagged, and how often its 'truyền thông'
    (media, all 33 times) comes out as 'truyền thống' (tradition)."""
    if not SAMPLE.exists():
        print(f"garbled sample: {SAMPLE} absent, skipped")
        return {}
    from pipeline.text.repair import Params
    from pipeline.text.vietnamese import nfc

    text = SAMPLE.read_text("utf-8")
    paragraphs = [para.split() for para in text.split("\n\n") if para.split()]
    results = [r for rs in repairer.repair_paragraphs(paragraphs, Params.estimate(nfc(text).split(), repairer.lexicon)) for r in rs]
    words = [r for r in results if r.evidence is not None]
    out = " ".join(r.text for r in results)
    figures = {"sample flagged": sum(r.flag for r in words) / len(words), "sample truyền thông": out.count("truyền thông"), "sample truyền thống": out.count("truyền thống")}
    truth = normalize_text(SAMPLE_TRUTH.read_text("utf-8"))
    raw, total, _, _ = ocr_accuracy(truth, normalize_text(text))
    right, _, _, _ = ocr_accuracy(truth, out)
    figures["sample restored"] = right / total
    wrong = [words[k] for k, ok in results_right(truth, words).items() if not ok]
    figures["sample caught"] = sum(r.flag for r in wrong) / len(wrong) if wrong else 1.0
    print(
        f"garbled sample ({SAMPLE.name}, {len(words)} words): raw OCR {raw / total:.2%} -> repaired {right / total:.2%} "
        f"of the {total} syllables of its transcription; {figures['sample flagged']:.1%} flagged, catching "
        f"{figures['sample caught']:.1%} of the {len(wrong)} words left wrong; "
        f"'truyền thông' {figures['sample truyền thông']}, 'truyền thống' {figures['sample truyền thống']}"
    )
    return figures


def real_text_report(repairer) -> dict[str, float]:
    """The project's transcriptions of real pages (real_truth/: 13 archive pages and the garbled sample's report),
    real ward, district and department prose that the model was not built from, printed line for line: every mark
    removed from each line and restored (a line cut mid-sentence has no context across its ends), and the clean
    text through repair."""
    paths = sorted(REAL_TRUTH.glob("*.txt"))
    truth = [normalize_text(raw.strip()) for path in paths for raw in path.read_text("utf-8").splitlines() if raw.strip()]
    out, _ = restore_folded(repairer, truth)
    right, total = word_accuracy(truth, out)
    figures = {"real folded": right / total, "real clean": unchanged(repairer, truth)}
    print(
        f"real transcriptions ({len(paths)} texts, {len(truth)} printed lines): folded -> repaired "
        f"{right / total:.2%} ({right}/{total}); clean unchanged {figures['real clean']:.3%}"
    )
    return figures


SUMMARY = (  # figure, key in the figures, how it is shown, the target
    ("own corpus, folded, restored", "folded", "{:.2%}", ""),
    ("own corpus, clean, unchanged", "clean", "{:.3%}", ">= 99.95%"),
    ("vn-legal, folded, restored", "legal folded", "{:.2%}", ">= 97.5%"),
    ("vn-legal, clean, unchanged", "legal clean", "{:.3%}", ">= 99.95%"),
    ("real transcriptions, folded, restored", "real folded", "{:.2%}", ">= 97.5%"),
    ("real transcriptions, clean, unchanged", "real clean", "{:.3%}", ">= 99.95%"),
    ("eng renders, clean page, token F1", "token F1 eng", "{:.2%}", ">= 98%"),
    ("eng renders, poor page, token F1", "token F1 eng-poor", "{:.2%}", ">= 96%"),
    ("vie renders, poor page, token F1", "token F1 vie", "{:.2%}", ""),
    ("garbled text (eng renders as text): flagged", "eng text flagged", "{:.1%}", "<= 8%"),
    ("  errors caught by the flags", "eng text caught", "{:.1%}", ">= 85%"),
    ("  conf >= 0.9 right", "eng text conf>=0.9 right", "{:.2%}", ">= 98%"),
    ("scans (vie renders as images): flagged", "vie image flagged", "{:.1%}", "<= 5%"),
    ("  errors caught by the flags", "vie image caught", "{:.1%}", ">= 85%"),
    ("  conf >= 0.9 right", "vie image conf>=0.9 right", "{:.2%}", ">= 98%"),
    ("  expected calibration error", "vie image ECE", "{:.3f}", ""),
    ("garbled sample: restored", "sample restored", "{:.2%}", ">= 97%"),
    ("garbled sample: flagged", "sample flagged", "{:.1%}", "<= 8%"),
    ("  errors caught by the flags", "sample caught", "{:.1%}", ">= 85%"),
    ("garbled sample: 'truyền thống' for 'truyền thông'", "sample truyền thống", "{:.0f} of 33", "0"),
)


def print_summary(now: dict[str, float]) -> None:
    previous = json.loads(PREVIOUS.read_text("utf-8"))
    print(f"\nbeside the previous model ({previous['model']}):")
    print(f"  {'figure':52} {'previous':>12} {'now':>12}  target")
    for label, key, fmt, target in SUMMARY:
        before = fmt.format(previous[key]) if key in previous else "-"
        after = fmt.format(now[key]) if key in now else "-"
        print(f"  {label:52} {before:>12} {after:>12}  {target}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-pyvi", action="store_true")
    args = parser.parse_args()
    start = time.perf_counter()
    from pipeline.text.repair import shared_repairer

    repairer = shared_repairer()
    load_s = time.perf_counter() - start
    truth = heldout_lines()
    folded = [fold(line) for line in truth]
    n_syl = sum(len(line.split()) for line in folded)

    print(f"held-out: {len(documents(heldout=True))} documents, {len(truth)} lines, {n_syl} tokens; model load {load_s:.2f} s")
    t0 = time.perf_counter()
    out_lines, confs = restore_folded(repairer, truth)
    secs = time.perf_counter() - t0
    t0 = time.perf_counter()
    restore_folded(repairer, truth)
    steady = time.perf_counter() - t0
    right, total = word_accuracy(truth, out_lines)
    now: dict[str, float] = {"folded": right / total}
    print(
        f"folded -> repaired: {100 * right / total:.2f}% syllable accuracy ({right}/{total}); on one core "
        f"{n_syl / secs:,.0f} tokens/s on first sight, {n_syl / steady:,.0f} tokens/s once its caches are warm"
    )
    high = [c for c in confs if c[0] >= 0.9]
    wrong = [c for c in confs if not c[2]]
    print(
        f"  conf>=0.9: {100 * sum(c[2] for c in high) / max(1, len(high)):.2f}% right ({len(high)} words); "
        f"flags: {100 * sum(c[1] for c in wrong) / max(1, len(wrong)):.1f}% of wrong words flagged, "
        f"{100 * sum(c[1] for c in confs) / max(1, len(confs)):.1f}% of all words flagged "
        "(the calibration was fitted on these documents too: the cross-validated figures are below)"
    )
    now["clean"] = unchanged(repairer, truth)
    print(f"clean -> repaired: {100 * now['clean']:.3f}% of tokens unchanged")

    if LEGAL_ARCHIVE.exists():
        legal = legal_heldout_lines()
        legal_out, _ = restore_folded(repairer, legal)
        right, total = word_accuracy(legal, legal_out)
        now |= {"legal folded": right / total, "legal clean": unchanged(repairer, legal)}
        print(
            f"vn-legal held-out ({len(legal)} lines): folded -> repaired {100 * right / total:.2f}% ({right}/{total}); "
            f"clean unchanged {100 * now['legal clean']:.3f}%"
        )
    else:
        print(f"vn-legal: {LEGAL_ARCHIVE} absent, its figures skipped")
    now |= real_text_report(repairer)

    for mode in ("eng", "vie"):
        folder = ROOT / "corpus" / "ocr" / mode
        pairs = sorted(folder.glob("*.ocr.txt"))
        if not pairs:
            print(f"{mode}: no OCR outputs in {folder} (run scripts/make_ocr_pairs.py)")
            continue
        raw_r = rep_r = tot = read_r = read_n = 0
        for ocr_path in pairs:
            truth_text = normalize_text(ocr_path.with_name(ocr_path.name.replace(".ocr.txt", ".truth.txt")).read_text("utf-8"))
            ocr_text = ocr_path.read_text("utf-8")
            a, n, _, _ = ocr_accuracy(truth_text, normalize_text(ocr_text))
            b, _, c, m = ocr_accuracy(truth_text, repairer.repair_text(ocr_text))
            raw_r, rep_r, tot, read_r, read_n = raw_r + a, rep_r + b, tot + n, read_r + c, read_n + m
        print(
            f"{mode}: raw OCR {100 * raw_r / tot:.2f}% -> repaired {100 * rep_r / tot:.2f}% syllable accuracy "
            f"({len(pairs)} documents, {tot} syllables; {100 * read_r / read_n:.2f}% of the {read_n} syllables the OCR found)"
        )

    now |= render_report(repairer)
    now |= confidence_report(repairer)
    now |= sample_report(repairer)

    print(f"peak resident memory of this evaluation: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB (a worker: make bench)")
    print_summary(now)

    if not args.no_pyvi:
        try:
            from pyvi import ViUtils
        except ImportError:
            print("pyvi not installed: reference skipped")
            return
        def pyvi_line(line: str) -> str:
            try:
                return ViUtils.add_accents(line)
            except (KeyError, IndexError, ValueError):  # pyvi fails on some inputs; count the line as not restored
                return line

        t0 = time.perf_counter()
        pyvi_out = [pyvi_line(line) for line in folded]
        secs = time.perf_counter() - t0
        right, total = word_accuracy(truth, pyvi_out)
        failed = sum(1 for a, b in zip(pyvi_out, folded) if a == b)
        print(f"reference pyvi add_accents on folded: {100 * right / total:.2f}% ({n_syl / secs:,.0f} tokens/s; {failed} lines left as they were)")


if __name__ == "__main__":
    main()
