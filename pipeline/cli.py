"""The `vnocr` command line."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from . import __version__
from .batch.progress import make_reporter
from .batch.runner import SPLIT_PAGES, Summary, default_jobs, run
from .errors import (
    ExitCode, ExportError, InputError, SearchError, SettingsError, UsageError, VnocrError, failure_message, reader_gone,
)
from .settings import ALL_STEPS, OCR_MODES, TONE_STYLES, Settings, check_steps


def _steps(value: str) -> tuple[str, ...]:
    try:
        return check_steps(tuple(s for s in value.split(",") if s and s != "none"))
    except SettingsError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not {value!r}")
    return number


def _add_process(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("process", help="read scans, PDFs and OCR text into JSON and clean text")
    p.add_argument("inputs", nargs="+", type=Path, help="files and folders (searched recursively)")
    _add_run_options(p)


def _add_run_options(p: argparse.ArgumentParser) -> None:
    """Options shared by `process` and `watch`: outputs, OCR settings, workers, reporting."""
    p.add_argument("-o", "--out", type=Path, required=True, help="output folder")
    p.add_argument("--lang", default=Settings.lang, help="Tesseract model (default: %(default)s)")
    p.add_argument("--psm", type=int, default=Settings.psm, help="Tesseract page segmentation mode (default: %(default)s)")
    p.add_argument("--dpi", type=int, default=Settings.dpi, help="PDF rendering resolution (default: %(default)s)")
    p.add_argument("--preprocess", type=_steps, default=Settings.preprocess, metavar="STEPS",
                   help=f"comma-separated steps from {','.join(ALL_STEPS)} or none (default: {','.join(Settings.preprocess)})")
    p.add_argument("--ocr", choices=OCR_MODES, default=Settings.ocr,
                   help="auto: read a PDF page's own text when it is usable, OCR the rest; always: OCR every page; "
                        "never: text layers only, pages without one reported (default: %(default)s)")
    p.add_argument("--no-repair", dest="repair", action="store_false", help="keep the raw OCR text")
    p.add_argument("--tone-style", choices=TONE_STYLES, default=Settings.tone_style, help="tone mark placement: old (hóa, ủy) or new (hoá, uỷ)")
    p.add_argument("--no-page-images", dest="page_images", action="store_false", help="do not keep page images for review")
    p.add_argument("--page-timeout", type=float, default=Settings.page_timeout, help="seconds allowed per page (default: %(default)s)")
    p.add_argument("-j", "--jobs", type=_positive, default=None,
                   help=f"worker processes, one Tesseract thread each (default: the number of cores, {default_jobs()})")
    p.add_argument("--pages-per-task", type=_positive, default=SPLIT_PAGES, metavar="N",
                   help="PDFs with more pages are spread over the workers N pages at a time (default: %(default)s)")
    p.add_argument("--force", action="store_true", help="redo inputs already done with the same content and settings")
    p.add_argument("--dask", metavar="ADDRESS", help="run on an existing Dask cluster (e.g. tcp://scheduler:8786) instead of local workers (--jobs is then ignored); OUT must be the same path on its workers")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress report, only the summary")
    p.add_argument("--log-json", action="store_true", help="progress, each file and the summary as JSON lines on stdout")


def _settings(args: argparse.Namespace) -> Settings:
    return Settings(
        lang=args.lang, psm=args.psm, dpi=args.dpi, preprocess=args.preprocess, repair=args.repair,
        tone_style=args.tone_style, page_images=args.page_images, page_timeout=args.page_timeout, ocr=args.ocr,
    )


def _report(summary: Summary) -> None:
    print(summary.line(), file=sys.stderr)
    for path, error in summary.failures:
        print(f"  failed: {path}: {error}", file=sys.stderr)


def cmd_process(args: argparse.Namespace) -> int:
    summary = run(
        args.inputs, args.out, _settings(args), jobs=args.jobs, force=args.force, dask=args.dask,
        reporter=make_reporter(args.quiet, args.log_json), split_pages=args.pages_per_task,
    )
    _report(summary)
    if summary.interrupted:
        print("vnocr: interrupted; run the same command again to finish (finished files are kept)", file=sys.stderr)
        return ExitCode.INTERRUPTED
    return ExitCode.FAILED if summary.failed else ExitCode.OK


def _add_watch(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("watch", help="process files as they arrive in a folder (scanner inbox)")
    p.add_argument("inbox", type=Path, help="the folder to watch (searched recursively)")
    _add_run_options(p)
    p.add_argument("--interval", type=float, default=1.0, help="seconds between looks at the folder (default: %(default)s)")
    p.add_argument("--settle", type=float, default=3.0,
                   help="a file is taken once its size and time stay unchanged this many seconds (default: %(default)s)")


def cmd_watch(args: argparse.Namespace) -> int:
    from .batch.watch import watch

    summary = watch(
        args.inbox, args.out, _settings(args), jobs=args.jobs, force=args.force, dask=args.dask,
        reporter=make_reporter(args.quiet, args.log_json, service=True), split_pages=args.pages_per_task,
        interval=args.interval, settle=args.settle,
    )
    _report(summary)
    return ExitCode.OK


def _add_review(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("review", help="open the review page where clerks check flagged words (a local web app)")
    p.add_argument("out", type=Path, help="a folder written by vnocr process")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s, this machine only)")
    p.add_argument("--port", type=int, default=8765, help="port (default: %(default)s)")


def cmd_review(args: argparse.Namespace) -> int:
    from .review.serve import serve

    if not args.out.is_dir():
        raise UsageError(f"{args.out} is not a folder; give the output folder of vnocr process")
    serve(args.out, args.host, args.port)
    return ExitCode.OK


def _add_repair(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("repair", help="restore diacritics and fix OCR errors in text (stdin when no file)")
    p.add_argument("file", nargs="?", type=Path, help="text file: UTF-8, UTF-16 or a legacy Vietnamese encoding (default: standard input)")
    p.add_argument("--json", action="store_true", help="per-token ocr, text, conf, flag, alternatives as JSON lines")
    p.add_argument("--tone-style", choices=TONE_STYLES, default=Settings.tone_style, help="tone mark placement: old (hóa, ủy) or new (hoá, uỷ)")
    p.add_argument("--user-lm", help="user overlay of the language model (default: the one `vnocr learn` writes)")


def cmd_repair(args: argparse.Namespace) -> int:
    from .ingest.files import decode_text
    from .text.repair import shared_repairer

    try:
        text, encoding = decode_text(args.file.read_bytes() if args.file else sys.stdin.buffer.read())
    except (InputError, OSError) as exc:
        raise InputError(f"{args.file or 'stdin'}: {exc}") from exc
    if encoding not in ("utf-8", "utf-16"):
        print(f"vnocr: {args.file or 'stdin'}: converted from {encoding} to Unicode before repair", file=sys.stderr)
    repairer = shared_repairer(args.tone_style, args.user_lm)
    if not args.json:
        sys.stdout.write(repairer.repair_text(text))
        return ExitCode.OK
    for number, results in enumerate(repairer.repair_lines(text.rstrip("\n")), start=1):
        tokens = [{"ocr": r.ocr, "text": r.text, "conf": r.conf, "flag": r.flag, "alternatives": r.alternatives} for r in results]
        print(json.dumps({"line": number, "text": " ".join(r.text for r in results if r.text), "tokens": tokens}, ensure_ascii=False))
    return ExitCode.OK


def _add_learn(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("learn", help="teach repair from clean, corrected text (*.txt under FOLDER): a user overlay of the language model")
    p.add_argument("folder", type=Path)
    p.add_argument("--user-lm", type=Path, help="overlay file to extend (default: ~/.local/share/vnocr/user-lm.txt)")


def cmd_learn(args: argparse.Namespace) -> int:
    from .text.lexicon import USER_LM, learn

    if not args.folder.is_dir():
        raise UsageError(f"{args.folder}: not a folder")
    target = args.user_lm or USER_LM
    added = learn(args.folder, target)
    print(f"{added} new lines of text added to {target}", file=sys.stderr)
    return ExitCode.OK


def _add_index(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("index", help="build or update the search index (SQLite FTS5) of an output folder")
    p.add_argument("out", type=Path, help="a folder written by vnocr process")
    p.add_argument("--db", type=Path, required=True, help="the index file, created when missing (e.g. archive.sqlite)")


def cmd_index(args: argparse.Namespace) -> int:
    import sqlite3

    from rich.progress import Progress

    from .search.index import build_index

    try:
        with Progress(transient=True, disable=not sys.stderr.isatty()) as bar:
            task = bar.add_task("indexing", total=None)
            report = build_index(args.out, args.db, progress=lambda n, total: bar.update(task, completed=n, total=total))
    except (OSError, sqlite3.DatabaseError) as exc:
        raise SearchError(str(exc)) from exc
    print(report.line(), file=sys.stderr)
    for rel, error in report.failed:
        print(f"  unreadable: {rel}: {error}", file=sys.stderr)
    return ExitCode.FAILED if report.failed else ExitCode.OK


def _add_search(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("search", help="search the index; marks and đ optional (chuyen doi so finds chuyển đổi số)",
                       description='Words must all match; "a phrase", prefix*, OR between alternatives, -excluded '
                                   "(put -- before a query with -words). Words typed with marks rank exact-mark matches first.")
    p.add_argument("query", nargs="+", help="the words to find")
    p.add_argument("--db", type=Path, required=True, help="the index built by vnocr index")
    p.add_argument("--type", help="document type: its code (BC, KH, QĐ or QD...) or name (báo cáo)")
    p.add_argument("--from", dest="date_from", metavar="DATE", help="documents dated on or after DATE (YYYY-MM-DD, YYYY-MM, YYYY)")
    p.add_argument("--to", dest="date_to", metavar="DATE", help="documents dated on or before DATE")
    p.add_argument("--issuer", help="part of the issuing body's name, marks optional (e.g. 'tan hoa')")
    p.add_argument("--limit", type=int, default=20, help="most hits to show (default: %(default)s)")
    p.add_argument("--json", action="store_true", help="hits as JSON")


def cmd_search(args: argparse.Namespace) -> int:
    import sqlite3

    from .search.query import SearchFilters, search

    filters = SearchFilters(type=args.type, date_from=args.date_from, date_to=args.date_to, issuer=args.issuer)
    query = " ".join(args.query)
    try:
        hits = search(args.db, query, filters, limit=args.limit)
    except sqlite3.DatabaseError as exc:
        raise SearchError(str(exc)) from exc
    if args.json:
        print(json.dumps({"query": query, "hits": [h.to_dict() for h in hits]}, ensure_ascii=False, indent=1))
        return ExitCode.OK
    bold = sys.stdout.isatty()
    for rank, hit in enumerate(hits, start=1):
        head = " · ".join(t for t in (hit.number, hit.type_code or hit.doc_type, hit.date, hit.issuer) if t)
        print(f"{rank:2d}. {hit.document}" + (f"  {head}" if head else ""))
        title = hit.section_title if len(hit.section_title) <= 80 else hit.section_title[:79] + "…"
        where = " ".join(t for t in (hit.where, title if hit.section else "") if t)
        print(f"    {where}" + (f" · p. {hit.page}" if hit.page else ""))
        print("    " + (hit.marked("\x1b[1m", "\x1b[0m") if bold else hit.marked()))
    if not hits:
        print(f"no match for {query!r}", file=sys.stderr)
    return ExitCode.OK


def _add_export(sub: argparse._SubParsersAction) -> None:
    from .export.formats import FORMATS

    p = sub.add_parser("export", help="export an output folder: OpenSearch bulk NDJSON, ALTO v4 XML per page, or searchable PDF")
    p.add_argument("out", type=Path, help="a folder written by vnocr process")
    p.add_argument("--format", required=True, choices=FORMATS, help="what to write")
    p.add_argument("-o", "--dest", type=Path, required=True, help="folder to write into")
    p.add_argument("--index", default="vnocr", help="OpenSearch/Elasticsearch index name (default: %(default)s)")
    p.add_argument("--font", type=Path, help="TrueType font with Vietnamese glyphs for the PDF text layer")


def cmd_export(args: argparse.Namespace) -> int:
    from .export.formats import export

    try:
        report = export(args.out, args.format, args.dest, index=args.index, font=args.font,
                        note=lambda message: print(f"vnocr: {message}", file=sys.stderr))
    except OSError as exc:
        raise ExportError(str(exc)) from exc
    print(report.line(), file=sys.stderr)
    for rel, error in report.failed:
        print(f"  failed: {rel}: {error}", file=sys.stderr)
    if args.format == "opensearch" and report.written:
        definition, *bulk = report.written
        print(f"load with: curl -XPUT \"$HOST/{args.index}\" -H 'Content-Type: application/json' --data-binary @{definition}", file=sys.stderr)
        for part in bulk:
            print(f"           curl -XPOST \"$HOST/_bulk\" -H 'Content-Type: application/x-ndjson' --data-binary @{part}", file=sys.stderr)
    wrote = [p for p in report.written if args.format != "opensearch" or p.suffix == ".ndjson"]
    return ExitCode.FAILED if report.failed or (report.documents and not wrote) else ExitCode.OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vnocr", description=__doc__)
    parser.add_argument("--version", action="version", version=f"vnocr {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log diagnostics")
    sub = parser.add_subparsers(dest="command", required=True)
    _add_process(sub)
    _add_watch(sub)
    _add_review(sub)
    _add_repair(sub)
    _add_learn(sub)
    _add_index(sub)
    _add_search(sub)
    _add_export(sub)
    return parser


COMMANDS = {"process": cmd_process, "watch": cmd_watch, "review": cmd_review, "repair": cmd_repair, "learn": cmd_learn,
            "index": cmd_index, "search": cmd_search, "export": cmd_export}


def main(argv: list[str] | None = None) -> int:
    """Run one command; every failure ends as one line on stderr and an exit code (a traceback only with -v)."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return COMMANDS[args.command](args)
    except VnocrError as exc:
        print(f"vnocr: {exc}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:  # stop quietly, as a command killed by SIGPIPE would
        reader_gone()
        return ExitCode.BROKEN_PIPE
    except KeyboardInterrupt:
        return ExitCode.INTERRUPTED
    except Exception as exc:
        if args.verbose:
            raise
        print(f"vnocr: {failure_message(exc)}", file=sys.stderr)
        return ExitCode.FAILED


if __name__ == "__main__":
    sys.exit(main())
