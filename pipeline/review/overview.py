"""The Overview: the archive's figures (`figures.py`) made into sections of numbers, charts and tables.

The same `Overview` is the review app's first page (`GET /api/overview`, drawn by `static/overview.js`)
and `OUT/report.html` (`report.py`); only its links differ (`Links`): in the app they lead to the
word queue and the filtered documents list, in the report to the review app at its usual address.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlencode

from . import charts
from .charts import Bar, Cell, Chart, Column, Table, number
from .figures import CONF_BINS, DPI_CLASSES, STAGES, Figures

MOST_FLAGGED = 30  # documents in the flagged-share chart (the rest are counted)
MOST_ISSUERS = 20
DAYS_SHOWN = 60  # review days in the chart (the most recent)
YEARS_BY_MONTH = 4  # document dates spanning more years than this are counted per year
STAGE_NAMES = {"raster": "raster (page images)", "preprocess": "page analysis and preparation",
               "ocr": "OCR (Tesseract)", "repair": "repair", "structure": "structure"}


@dataclass(frozen=True)
class Links:
    """Where the figures link to: `base` is "" in the app, the review app's address in the report."""

    base: str = ""

    def queue(self, doc: str) -> str:
        return f"{self.base}/queue?{urlencode({'doc': doc})}"

    def documents(self, **filters: str) -> str:
        return f"{self.base}/documents?{urlencode(filters)}"

    @staticmethod
    def manifest(line: int) -> str:
        return f"#manifest-{line}"


@dataclass
class Stat:
    label: str
    value: str
    note: str = ""


@dataclass
class Stats:
    items: list[Stat]
    type: str = "stats"


@dataclass
class Note:
    text: str
    type: str = "note"


Block = Stats | Chart | Table | Note


@dataclass
class Section:
    id: str
    title: str
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Overview:
    updated: str
    sections: list[Section]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _seconds(value: float) -> str:
    if value >= 3600:
        return f"{value / 3600:.1f} h"
    if value >= 60:
        return f"{value / 60:.1f} min"
    return f"{value:.2f} s"


def _count(n: int, thing: str) -> str:
    return f"{number(n)} {thing}{'' if n == 1 else 's'}"


def _percent(part: float, whole: float) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "–"


# --------------------------------------------------------------------------- sections


def totals(f: Figures) -> Section:
    docs = f.documents.values()
    pages = sum(d.pages for d in docs)
    timed = sum(d.timed_pages for d in docs)
    run = f.run.last_run
    stage_seconds = {s: sum(d.timings.get(s, 0.0) for d in docs if d.timed_pages) for s in STAGES}
    per_page = sum(stage_seconds.values()) / timed if timed else None
    items = [
        Stat("Files", number(f.run.inputs), "inputs in the manifest"),
        Stat("Read", number(f.run.ok)),
        Stat("Failed", number(f.run.failed)),
        Stat("Documents", number(len(f.documents)), "document JSON files under OUT"),
        Stat("Pages", number(pages)),
        Stat("Words", number(sum(d.words for d in docs))),
    ]
    if run.get("pages"):
        items.append(Stat("Pages per minute", f"{run.get('pages_per_minute', 0):,.1f}",
                          f"last run: {number(run['pages'])} pages in {_seconds(float(run.get('seconds', 0)))}"
                          f" with {run.get('jobs', '?')} workers"))
    else:
        items.append(Stat("Pages per minute", "–", "the last run read no page" if run else "no run summary"))
    if per_page is not None:
        items.append(Stat("Time per page", _seconds(per_page), f"all stages, one worker; {number(timed)} pages timed"))
        items.append(Stat("OCR per page", _seconds(stage_seconds["ocr"] / timed), "Tesseract and reading order"))
    items.append(Stat("Against bare Tesseract", "not measured",
                      "make bench measures it on its own rendered pages, not on this archive"))
    blocks: list[Block] = [Stats(items)]
    if run:
        state = "interrupted" if run.get("interrupted") else "finished"
        blocks.append(Note(f"Last run {state} {run.get('finished', '?')}: {number(run.get('ok', 0))} read, "
                           f"{number(run.get('failed', 0))} failed, {number(run.get('skipped', 0))} already done."))
    return Section("totals", "Totals", blocks)


def time_spent(f: Figures) -> Section:
    docs = [d for d in f.documents.values() if d.timings]
    untimed = len(f.documents) - len(docs)
    totals_ = {s: sum(d.timings.get(s, 0.0) for d in docs) for s in STAGES}
    whole = sum(totals_.values())
    timed_pages = sum(d.timed_pages for d in docs)
    blocks: list[Block] = []
    if whole > 0:
        items = [Bar(STAGE_NAMES[s], totals_[s], f"{_seconds(totals_[s])} · {_percent(totals_[s], whole)}",
                     cells=[_seconds(totals_[s] / timed_pages) if timed_pages else "–"]) for s in STAGES]
        blocks.append(charts.bars("chart-stages", "Time per stage",
                                  "Worker seconds spent in each stage, summed over all documents.",
                                  items, ["Stage", "Seconds · share", "Per page"]))
    else:
        blocks.append(Note("No stage timings recorded yet."))
    if untimed:
        blocks.append(Note(f"{_count(untimed, 'document')} without stage timings (written before they were "
                           "recorded): not counted here."))
    return Section("time", "Where time went", blocks)


def failures(f: Figures, links: Links) -> Section:
    run = f.run
    if not run.failed:
        return Section("failures", "Failures", [Note("No input failed.")])
    first_line = {}
    for failure in run.failures:
        first_line.setdefault(failure.reason, failure.line)
    reasons = sorted(run.reasons.items(), key=lambda kv: (-kv[1], kv[0]))
    items = [Bar(reason, count, number(count), links.manifest(first_line[reason]) if reason in first_line else None)
             for reason, count in reasons]
    blocks: list[Block] = [charts.bars("chart-failures", "Failures by reason",
                                       "Failed inputs grouped by the reason in their manifest line "
                                       "(numbers and file names set aside).", items, ["Reason", "Inputs"])]
    listed = sorted(run.failures, key=lambda x: (-run.reasons[x.reason], x.reason, x.line))
    rows = [[Cell(x.reason), Cell(x.input), Cell(x.error), Cell(f"line {x.line}", links.manifest(x.line))] for x in listed]
    blocks.append(Table("Failed inputs, by reason", ["Reason", "Input", "Error", "manifest.jsonl"], rows,
                        [False, False, False, False]))
    lines = [[Cell(str(x.line), anchor=f"manifest-{x.line}"), Cell(x.raw, raw=True)] for x in sorted(run.failures, key=lambda x: x.line)]
    blocks.append(Table("Their lines in manifest.jsonl", ["Line", "Manifest line"], lines, [True, False]))
    if len(run.failures) < run.failed:
        blocks.append(Note(f"The first {number(len(run.failures))} of {number(run.failed)} failures are listed."))
    return Section("failures", "Failures", blocks)


def confidence(f: Figures, links: Links) -> Section:
    docs = list(f.documents.values())
    bins = [sum(d.conf[i] for d in docs if len(d.conf) == CONF_BINS) for i in range(CONF_BINS)]
    histogram = charts.columns(
        "chart-confidence", "Word confidence", "How many words were read with each confidence (tenths of 0 to 1).",
        [Column(f"{i / CONF_BINS:.1f}–{(i + 1) / CONF_BINS:.1f}", [n]) for i, n in enumerate(bins)],
        ["words"], "Confidence")
    flagged = sorted((d for d in docs if d.flagged and d.words), key=lambda d: (-d.flagged / d.words, d.id))
    blocks: list[Block] = [histogram]
    if flagged:
        shown = flagged[:MOST_FLAGGED]
        items = [Bar(d.id, 100 * d.flagged / d.words,
                     _percent(d.flagged, d.words), links.queue(d.id), [number(d.flagged), number(d.words)])
                 for d in shown]
        blocks.append(charts.bars(
            "chart-flagged", "Share of flagged words per document",
            "Documents with the largest share of words flagged for the clerks first; a bar opens its word queue.",
            items, ["Document", "Flagged share", "Flagged", "Words"]))
        if len(flagged) > len(shown):
            blocks.append(Note(f"{_count(len(flagged) - len(shown), 'more document')} with flagged words."))
    else:
        blocks.append(Note("No document has a flagged word."))
    return Section("confidence", "Confidence", blocks)


def review(f: Figures) -> Section:
    docs = f.documents.values()
    left = sum(d.flagged for d in docs)
    log = f.review
    done = {k: sum(c.get(k, 0) for c in log.clerks.values()) for k in ("corrected", "confirmed", "fields", "undone")}
    blocks: list[Block] = [Stats([
        Stat("Words left", number(left), f"in {number(sum(1 for d in docs if d.flagged))} documents"),
        Stat("Fields left", number(sum(d.fields_left for d in docs)), "handwritten numbers and dates"),
        Stat("Words corrected", number(done["corrected"])),
        Stat("Words confirmed", number(done["confirmed"])),
        Stat("Fields corrected", number(done["fields"])),
        Stat("Documents done", number(sum(1 for d in docs if not d.flagged))),
    ])]
    if not log.days:
        blocks.append(Note("No correction saved yet."))
        return Section("review", "Review progress", blocks)
    days = sorted(log.days)[-DAYS_SHOWN:]
    blocks.append(charts.columns(
        "chart-review-days", "Words checked per day", "Words the clerks corrected or confirmed, per day (UTC).",
        [Column(day, [log.days[day].get("corrected", 0), log.days[day].get("confirmed", 0)],
                cells=[number(log.days[day].get("fields", 0)), number(log.days[day].get("undone", 0))]) for day in days],
        ["corrected", "confirmed"], "Day", ["fields", "undone"]))
    clerks = sorted(log.clerks.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
    blocks.append(charts.bars(
        "chart-review-clerks", "Words checked per clerk", "Words each clerk corrected or confirmed, all days.",
        [Bar(who, c.get("corrected", 0) + c.get("confirmed", 0), number(c.get("corrected", 0) + c.get("confirmed", 0)),
             cells=[number(c.get("corrected", 0)), number(c.get("confirmed", 0)), number(c.get("fields", 0)),
                    number(c.get("undone", 0))]) for who, c in clerks],
        ["Clerk", "Words checked", "corrected", "confirmed", "fields", "undone"]))
    return Section("review", "Review progress", blocks)


def _date_columns(dates: list[str], links: Links) -> tuple[list[Column], str]:
    years = sorted({d[:4] for d in dates})
    if int(years[-1]) - int(years[0]) >= YEARS_BY_MONTH:
        counts = Counter(d[:4] for d in dates)
        keys = [str(y) for y in range(int(years[0]), int(years[-1]) + 1)]
        unit = "Year"
    else:
        counts = Counter(d[:7] for d in dates)
        first, last = min(counts), max(counts)
        keys, (y, m) = [], (int(first[:4]), int(first[5:7]))
        while f"{y:04d}-{m:02d}" <= last:
            keys.append(f"{y:04d}-{m:02d}")
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        unit = "Month"
    return [Column(k, [counts.get(k, 0)], links.documents(date=k) if counts.get(k) else None) for k in keys], unit


def found(f: Figures, links: Links) -> Section:
    docs = list(f.documents.values())
    types = Counter(d.doc_type for d in docs)
    issuers = Counter(d.issuer for d in docs)
    blocks: list[Block] = [charts.bars(
        "chart-types", "Document types", "Documents of each type the layout stage found; a bar lists them.",
        [Bar(t or "(no type found)", n, number(n), links.documents(type=t)) for t, n in types.most_common()],
        ["Type", "Documents"])]
    top = issuers.most_common(MOST_ISSUERS)
    blocks.append(charts.bars(
        "chart-issuers", "Issuers", "Documents per issuing body, the most frequent first; a bar lists them.",
        [Bar(i or "(no issuer found)", n, number(n), links.documents(issuer=i)) for i, n in top],
        ["Issuer", "Documents"]))
    if len(issuers) > len(top):
        blocks.append(Note(f"{_count(len(issuers) - len(top), 'more issuer')}."))
    dates = [d.date_iso for d in docs if d.date_iso]
    if dates:
        columns, unit = _date_columns(dates, links)
        blocks.append(charts.columns(
            "chart-dates", "Document dates", f"Documents per {unit.lower()} of their date; a column lists them.",
            columns, ["documents"], unit))
    undated = len(docs) - len(dates)
    if undated:
        blocks.append(Note(f"{_count(undated, 'document')} without a date found."))
    return Section("found", "Document types and issuers", blocks)


def page_kinds(f: Figures) -> Section:
    docs = list(f.documents.values())

    def total(attr: str) -> Counter:
        counts: Counter = Counter()
        for d in docs:
            counts.update(getattr(d, attr))
        return counts

    kinds, layers, marks, dpi = total("page_kinds"), total("text_layers"), total("marks"), total("dpi")
    pages = sum(d.pages for d in docs)
    blocks: list[Block] = []
    if kinds:
        order = ["1-bit", "grey", "colour", "photo", "text"]
        names = sorted(kinds, key=lambda k: (order.index(k) if k in order else len(order), k))
        blocks.append(charts.bars(
            "chart-kinds", "Page kinds", "Pages by what the page analysis found (text: pages of text inputs).",
            [Bar(k, kinds[k], f"{number(kinds[k])} · {_percent(kinds[k], pages)}") for k in names], ["Kind", "Pages"]))
    if dpi:
        classes = [c for c in DPI_CLASSES if c in dpi]
        blocks.append(charts.bars(
            "chart-dpi", "Resolution", "Pages by the resolution they were read at (dots per inch).",
            [Bar(f"{c} dpi", dpi[c], number(dpi[c])) for c in classes], ["Resolution", "Pages"]))
    features = [*(f"text layer: {k}" for k in sorted(layers)), *sorted(marks)]
    counts = {**{f"text layer: {k}": v for k, v in layers.items()}, **marks}
    if features:
        blocks.append(charts.bars(
            "chart-marks", "What the pages carry",
            "Pages by their PDF text layer, and pages with a low resolution, a seal, an e-signature or a legacy encoding.",
            [Bar(k, counts[k], f"{number(counts[k])} · {_percent(counts[k], pages)}") for k in features],
            ["Feature", "Pages"]))
    if not blocks:
        blocks.append(Note("No page read yet."))
    return Section("pages", "Page kinds", blocks)


def overview(f: Figures, links: Links) -> Overview:
    return Overview(f.updated, [totals(f), time_spent(f), failures(f, links), confidence(f, links), review(f),
                                found(f, links), page_kinds(f)])
