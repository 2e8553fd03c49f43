"""The folder a review works on: the documents `vnocr process` wrote under OUT, and the clerks' corrections.

Everything that reads or writes files is here; `app.py` only translates HTTP.

Documents are named by their JSON path under OUT without `.json` (`sub/scan`
for `OUT/sub/scan.json`). A name from a request is only ever used after
`json_path` has checked that it resolves to a JSON file inside OUT; page
images are found through the document's own `Page.image` and checked the
same way, so nothing outside OUT is ever read.

Saving (one word, an undo, or a batch fix) happens under a lock: a thread
lock plus an `flock` on `OUT/.review.lock` (so two servers on one folder
also take turns). The document JSON is read fresh, every word is checked
against what the clerk saw, changed with `Word.set_text(new, "clerk", who,
when)` (the prior value goes to its history), unflagged, `version` is
incremented, the clean text is recomposed (`structure_document`) and both
files are written atomically (`write_document`). Then one line per word is
appended to `OUT/audit.jsonl` and the document's learning file is rewritten.

Concurrency: the client sends the document version it saw and, for each
word, how it saw it (`seen`: text, flag and the length of its history; any
save of that word changes one of them). When another clerk saved the
document in between, the edit still applies if *this word* is unchanged:
edits to different words of one document merge. If the word itself changed,
nothing is written and the answer is a conflict carrying the word as it is
now; the clerk keeps the other value or overwrites it knowingly (a new
request with the new `seen`).

Figures: every save also updates the archive's figures (`figures.py`, `OUT/.overview.json`) with the
saved document and the audit lines just written, so the Overview never reads every document again;
the figures are read from that file (again only when a run or another server rewrote it), and made
from the documents when it is missing.

Learning: `OUT/corrections/<document>.txt` holds the clean text of the
document's lines that a clerk has checked (at least one word saved by a
clerk, and no word left that is flagged or read with low confidence and not
checked), one line per line, in reading order. It is
rewritten atomically after each save, so it never holds stale or duplicate
lines; `vnocr learn OUT/corrections` reads the folder into the language
model's user overlay.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..layout.structure import structure_document
from ..model import Document, Line, Page, Word
from ..errors import OutputError
from ..outputs import atomic_write_text, write_document
from . import edits, figures
from .figures import Figures
from .overview import Links, overview
from .views import Summary, needs_look, page_image, render_crop, same_as_seen, summarize, word_view

log = logging.getLogger(__name__)

AUDIT = figures.AUDIT
CORRECTIONS = "corrections"
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png"}


class ReviewError(Exception):
    status = 400

    def __init__(self, message: str, payload: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.payload = payload or {}


class NotFound(ReviewError):
    status = 404


class Invalid(ReviewError):
    status = 400


class Conflict(ReviewError):
    status = 409


class SaveFailed(ReviewError):
    status = 500


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Archive:
    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()
        self._write = threading.Lock()
        self._cache: dict[Path, tuple[tuple[int, int], Summary]] = {}
        self._cache_lock = threading.Lock()
        self._figures: Figures | None = None
        self._figures_key: tuple[int, int] | None = None  # the figures file (mtime_ns, size) they were read from
        self._overview: tuple[tuple[int, int] | None, dict[str, Any]] | None = None

    # --- finding things (every path from a request goes through here)

    def json_path(self, doc_id: Any) -> Path:
        if not isinstance(doc_id, str) or not doc_id or len(doc_id) > 1000 or "\x00" in doc_id or "\\" in doc_id:
            raise NotFound("no such document")
        if any(part in ("", ".", "..") or part.startswith(".") for part in doc_id.split("/")):
            raise NotFound("no such document")
        path = (self.root / f"{doc_id}.json").resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            raise NotFound("no such document")
        return path

    def doc_id(self, path: Path) -> str:
        return path.relative_to(self.root).with_suffix("").as_posix()

    def load(self, doc_id: str) -> tuple[Document, Path]:
        path = self.json_path(doc_id)
        try:
            data = json.loads(path.read_text("utf-8"))
            return Document.from_dict(data), path
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise NotFound(f"{doc_id} is not a vnocr document ({type(exc).__name__})") from exc

    def page_image_path(self, doc: Document, json_path: Path, page_no: int) -> Path | None:
        page = self._page(doc, page_no)
        if not page.image or not isinstance(page.image, str):
            return None
        path = (json_path.parent / page.image).resolve()
        if not path.is_relative_to(self.root) or path.suffix.lower() not in IMAGE_SUFFIXES or not path.is_file():
            return None
        return path

    def image(self, doc_id: str, page_no: int) -> Path:
        doc, json_path = self.load(doc_id)
        path = self.page_image_path(doc, json_path, page_no)
        if path is None:
            raise NotFound("this page has no image")
        return path

    @staticmethod
    def _page(doc: Document, page_no: int) -> Page:
        for page in doc.pages:
            if page.number == page_no:
                return page
        raise NotFound("no such page")

    @staticmethod
    def _word(doc: Document, word_id: Any) -> Word:
        try:
            return doc.word(str(word_id))
        except KeyError as exc:
            raise NotFound("no such word") from exc

    # --- the documents list

    def _paths(self) -> Iterator[Path]:
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                if name.endswith(".json") and not name.startswith("."):
                    path = Path(dirpath) / name
                    if path.resolve().is_relative_to(self.root):
                        yield path

    def summaries(self) -> list[Summary]:
        found = []
        seen = set()
        for path in self._paths():
            seen.add(path)
            try:
                st = path.stat()
            except OSError:
                continue
            key = (st.st_mtime_ns, st.st_size)
            with self._cache_lock:
                cached = self._cache.get(path)
            if cached and cached[0] == key:
                found.append(cached[1])
                continue
            try:
                data = json.loads(path.read_text("utf-8"))
                if not isinstance(data, dict) or "pages" not in data or "source" not in data:
                    continue
                summary = summarize(self.doc_id(path), Document.from_dict(data))
            except (OSError, ValueError, KeyError, TypeError, AttributeError):
                log.info("%s: not a vnocr document, not listed", path)
                continue
            with self._cache_lock:
                self._cache[path] = (key, summary)
            found.append(summary)
        with self._cache_lock:
            for path in set(self._cache) - seen:
                del self._cache[path]
        return found

    def documents(self) -> dict[str, Any]:
        docs = self.summaries()
        return {
            "documents": [s.view() for s in docs],
            "totals": {
                "documents": len(docs),
                "flagged": sum(s.flagged for s in docs),
                "reviewed": sum(s.reviewed for s in docs),
                "done": sum(1 for s in docs if not s.flagged),
            },
        }

    # --- reading views

    @staticmethod
    def context(doc: Document, word: Word) -> dict[str, Any]:
        """The word's line (its words, the word marked by id) and the lines before and after it on its page."""
        lines = [ln for ln in doc.lines() if ln.page == word.page]
        for i, line in enumerate(lines):
            if line.id == word.line:
                return {
                    "before": lines[i - 1].text if i > 0 else "",
                    "words": [{"id": w.id, "text": w.text} for w in line.words],
                    "after": lines[i + 1].text if i + 1 < len(lines) else "",
                }
        return {"before": "", "words": [{"id": word.id, "text": word.text}], "after": ""}

    @staticmethod
    def field_of(doc: Document, word: Word) -> dict[str, Any] | None:
        """For a handwritten fill-in of the header: the document field it makes and its value now
        (for the date, with where it came from: the e-signature's day stands in for an unread one)."""
        if not word.fill_in:
            return None
        s = doc.structure or {}
        if word.fill_in == "number":
            return {"name": "number", "now": (s.get("number") or {}).get("text"), "from": None}
        return {"name": "date", "now": s.get("date"), "from": s.get("date_from")}

    def _item(self, doc_id: str, doc: Document, json_path: Path, word: Word) -> dict[str, Any]:
        has_image = bool(word.bbox) and self.page_image_path(doc, json_path, word.page) is not None
        return {
            "doc": doc_id,
            "name": doc.source.name,
            "version": doc.version,
            "word": word_view(word),
            "context": self.context(doc, word),
            "has_image": has_image,
            "field": self.field_of(doc, word),
        }

    def queue(self, doc_id: str | None = None, limit: int = 300) -> dict[str, Any]:
        """The flagged words, in reading order, of one document or of the whole archive."""
        if doc_id:
            doc, json_path = self.load(doc_id)
            flagged = [w for w in doc.words() if w.flag]
            items = [self._item(doc_id, doc, json_path, w) for w in flagged[:limit]]
            return {"items": items, "left": len(flagged), "doc": doc_id}
        summaries = [s for s in self.summaries() if s.flagged]
        items = []
        for summary in summaries:
            if len(items) >= limit:
                break
            doc, json_path = self.load(summary.id)
            items += [self._item(summary.id, doc, json_path, w) for w in doc.words() if w.flag][: limit - len(items)]
        return {"items": items, "left": sum(s.flagged for s in summaries), "doc": None}

    def document_view(self, doc_id: str) -> dict[str, Any]:
        doc, json_path = self.load(doc_id)
        return {
            "doc": doc_id,
            "name": doc.source.name,
            "kind": doc.source.kind,
            "version": doc.version,
            "pages": [
                {
                    "number": page.number,
                    "width": page.width,
                    "height": page.height,
                    "has_image": self.page_image_path(doc, json_path, page.number) is not None,
                    "lines": [
                        {"id": ln.id, "bbox": list(ln.bbox) if ln.bbox else None, "words": [word_view(w) for w in ln.words]}
                        for ln in page.lines
                    ],
                }
                for page in doc.pages
            ],
        }

    def crop(self, doc_id: str, word_id: str) -> bytes:
        doc, json_path = self.load(doc_id)
        word = self._word(doc, word_id)
        path = self.page_image_path(doc, json_path, word.page)
        if path is None or not word.bbox:
            raise NotFound("this word has no image")
        line = next((ln for ln in doc.lines() if ln.id == word.line and ln.page == word.page), None)
        image = page_image(str(path), path.stat().st_mtime_ns)
        return render_crop(image, word.bbox, line.bbox if line else None)

    # --- saving

    @contextmanager
    def _locked(self) -> Iterator[None]:
        with self._write, figures.review_lock(self.root):
            yield

    # --- the figures of the Overview

    def _figures_file_key(self) -> tuple[int, int] | None:
        try:
            st = figures.path_of(self.root).stat()
        except OSError:
            return None
        return st.st_mtime_ns, st.st_size

    def _current_figures(self) -> Figures:
        """The figures as the file holds them, made from the documents when there is none (the lock held)."""
        key = self._figures_file_key()
        if self._figures is None or key is None or key != self._figures_key:
            found = figures.read(self.root) if key is not None else None
            if found is None:
                found = figures.rescan(self.root, None)
                self._write_figures(found)
            else:
                self._figures_key = key
            self._figures = found
        return self._figures

    def _write_figures(self, found: Figures) -> None:
        try:
            figures.write(self.root, found)
        except OutputError as exc:  # the Overview still answers, from memory
            log.warning("%s", exc)
        self._figures_key = self._figures_file_key()

    def overview(self) -> dict[str, Any]:
        """The Overview page's sections: computed again only when the figures changed."""
        key = self._figures_file_key()
        cached = self._overview
        if cached is None or key is None or cached[0] != key:
            with self._locked():
                found = self._current_figures()
                cached = (self._figures_key, overview(found, Links()).to_dict())
            self._overview = cached
        return cached[1]

    def _save(self, doc_id: str, doc: Document, json_path: Path, records: list[dict[str, Any]]) -> Document:
        doc.version += 1
        try:
            doc = structure_document(doc)
            write_document(doc, json_path)  # validates first: on failure nothing is written
        except Exception as exc:  # noqa: BLE001 - the clerk gets a message, the log the traceback
            log.exception("%s: saving a correction failed", doc_id)
            raise SaveFailed(f"the correction could not be saved, nothing was changed ({type(exc).__name__}); "
                             "please report it") from exc
        for record in records:
            record["version"] = doc.version
        self._audit(records)
        self._learn(doc_id, doc)
        self._count(doc_id, doc, json_path)
        return doc

    def _count(self, doc_id: str, doc: Document, json_path: Path) -> None:
        """The saved document and its audit lines into the figures; a failure costs the figures, not the save."""
        try:
            found = self._current_figures()
            found.saved(self.root, doc_id, doc.to_dict(), json_path, now())
        except OSError as exc:
            log.warning("%s: the figures were not updated (%s)", doc_id, exc)
            return
        self._write_figures(found)

    def _audit(self, records: list[dict[str, Any]]) -> None:
        path = self.root / AUDIT
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
        if path.exists() and path.stat().st_size:
            with open(path, "rb") as fh:
                fh.seek(-1, os.SEEK_END)
                if fh.read(1) != b"\n":
                    text = "\n" + text
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())

    def learning_path(self, doc_id: str) -> Path:
        return self.root / CORRECTIONS / f"{doc_id}.txt"

    @staticmethod
    def checked_lines(doc: Document) -> list[Line]:
        return [
            ln
            for ln in doc.lines()
            if any(w.source == "clerk" for w in ln.words) and not any(needs_look(w) for w in ln.words) and ln.text.strip()
        ]

    def _learn(self, doc_id: str, doc: Document) -> None:
        path = self.learning_path(doc_id)
        if path.with_suffix(".json").exists():  # never clobber a document's own .txt
            log.warning("%s: a document lives there; learning file not written", path)
            return
        lines = self.checked_lines(doc)
        if lines:
            atomic_write_text(path, "".join(ln.text + "\n" for ln in lines))
        else:
            path.unlink(missing_ok=True)

    @staticmethod
    def _apply(word: Word, text: str, who: str, when: str, flag: bool, restore: bool) -> None:
        if restore and word.history and word.history[-1].text == text:
            prior = word.history[-1]  # undo: back to the value and origin the word had before
            word.set_text(text, prior.source, prior.who, prior.when)
        else:
            word.set_text(text, "clerk", who, when)
        word.flag = flag

    def correct(
        self,
        doc_id: str,
        word_id: str,
        text: Any,
        who: Any,
        seen: Any,
        base_version: Any = None,
        flag: bool = False,
        restore: bool = False,
    ) -> dict[str, Any]:
        """Save one clerk edit (or an undo: `restore` and `flag` put the word back as it was)."""
        text = self._clean(edits.clean_text, text)
        who = self._clean(edits.clean_name, who)
        with self._locked():
            doc, json_path = self.load(doc_id)
            word = self._word(doc, word_id)
            if not same_as_seen(seen, word):
                raise Conflict(
                    f"{word.who or 'someone'} changed this word meanwhile",
                    {"conflict": True, "version": doc.version, "word": word_view(word)},
                )
            merged = base_version is not None and base_version != doc.version
            before, when = word.text, now()
            self._apply(word, text, who, when, bool(flag), bool(restore))
            record = {
                "doc": doc_id, "word": word_id, "before": before, "after": word.text, "who": who, "when": when,
                "action": "undo" if restore else ("confirm" if before == word.text else "correct"),
                **self._field(word),
            }
            doc = self._save(doc_id, doc, json_path, [record])
            word = doc.word(word_id)
        return {"ok": True, "version": doc.version, "merged": merged, "word": word_view(word)}

    @staticmethod
    def _field(word: Word) -> dict[str, str]:
        """For the audit line of a handwritten fill-in: the field it makes (number, day, month)."""
        return {"field": word.fill_in} if word.fill_in else {}

    @staticmethod
    def _clean(rule: Any, value: Any) -> Any:
        try:
            return rule(value)
        except edits.InvalidEdit as exc:
            raise Invalid(str(exc)) from exc

    # --- batch fixes

    def batch_preview(self, find: Any, replace: Any, ignore_case: bool = False, limit: int = 500) -> dict[str, Any]:
        """Every word in the archive whose text (punctuation aside) is `find`, with what it would become."""
        find = self._clean(edits.clean_find, find)
        replace = self._clean(edits.clean_text, replace or "")
        items: list[dict[str, Any]] = []
        total = 0
        for summary in self.summaries():
            if ignore_case:
                hits = sum(n for core, n in summary.cores.items() if core.casefold() == find.casefold())
            else:
                hits = summary.cores.get(find, 0)
            if not hits:
                continue
            doc, json_path = self.load(summary.id)
            for word in doc.words():
                if edits.matches(word.text, find, ignore_case):
                    total += 1
                    if len(items) < limit:
                        item = self._item(summary.id, doc, json_path, word)
                        item["after"] = edits.replace_token(word.text, find, replace, ignore_case) if replace else ""
                        items.append(item)
        return {"find": find, "replace": replace, "ignore_case": ignore_case, "items": items, "total": total}

    def batch_apply(self, find: Any, replace: Any, ignore_case: bool, who: Any, targets: Any) -> dict[str, Any]:
        """Replace `find` in each chosen word (doc, word, seen); words changed meanwhile come back as conflicts."""
        find = self._clean(edits.clean_find, find)
        replace = self._clean(edits.clean_text, replace)
        who = self._clean(edits.clean_name, who)
        if not replace:
            raise Invalid("type the correct reading")
        if not isinstance(targets, list) or not targets or len(targets) > 5000:
            raise Invalid("choose the occurrences to correct")
        by_doc: dict[str, list[dict[str, Any]]] = {}
        for t in targets:
            if not isinstance(t, dict):
                raise Invalid("bad occurrence")
            by_doc.setdefault(str(t.get("doc")), []).append(t)
        applied: list[dict[str, Any]] = []
        conflicts: list[dict[str, Any]] = []
        versions: dict[str, int] = {}
        with self._locked():
            for doc_id, chosen in by_doc.items():
                try:
                    doc, json_path = self.load(doc_id)
                except NotFound:
                    conflicts += [{"doc": doc_id, "word": None} for _ in chosen]
                    continue
                records = []
                when = now()
                for t in chosen:
                    try:
                        word = self._word(doc, t.get("word"))
                    except NotFound:
                        conflicts.append({"doc": doc_id, "word": None})
                        continue
                    if not same_as_seen(t.get("seen"), word) or not edits.matches(word.text, find, ignore_case):
                        conflicts.append({"doc": doc_id, "word": word_view(word)})
                        continue
                    before = word.text
                    self._apply(word, edits.replace_token(before, find, replace, ignore_case), who, when, False, False)
                    records.append({"doc": doc_id, "word": word.id, "before": before, "after": word.text, "who": who,
                                    "when": when, "action": "batch", **self._field(word)})
                if records:
                    doc = self._save(doc_id, doc, json_path, records)
                    applied += [{"doc": doc_id, "word": word_view(doc.word(r["word"]))} for r in records]
                versions[doc_id] = doc.version
        return {"applied": applied, "conflicts": conflicts, "versions": versions,
                "documents": len({a["doc"] for a in applied})}

    def batch_suggestions(self, limit: int = 12) -> list[dict[str, Any]]:
        """Recent clerk corrections whose wrong reading still occurs elsewhere: candidates for a batch fix."""
        path = self.root / AUDIT
        if not path.exists():
            return []
        pairs: dict[tuple[str, str], None] = {}
        for raw in reversed(path.read_text("utf-8", errors="replace").splitlines()):
            try:
                r = json.loads(raw)
                before, after = edits.split_core(r["before"])[1], edits.split_core(r["after"])[1]
            except (ValueError, KeyError, TypeError):
                continue
            if r.get("action") in ("correct", "batch") and before and after and before != after and " " not in before:
                pairs.setdefault((before, after), None)
            if len(pairs) >= 200:
                break
        counts: Counter = Counter()
        for summary in self.summaries():
            for before, _ in pairs:
                counts[before] += summary.cores.get(before, 0)
        out = [{"find": b, "replace": a, "left": counts[b]} for b, a in pairs if counts[b]]
        return out[:limit]
