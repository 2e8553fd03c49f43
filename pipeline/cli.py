"""The `vnocr` command line."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from . import __version__, batch, preprocess
from .flow import Settings


def _steps(value: str) -> tuple[str, ...]:
    steps = tuple(s for s in value.split(",") if s and s != "none")
    unknown = set(steps) - set(preprocess.ALL_STEPS)
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown step(s) {', '.join(sorted(unknown))}; choose from {', '.join(preprocess.ALL_STEPS)} or none")
    return steps


def _add_process(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("process", help="read scans, PDFs and OCR text into JSON and clean text")
    p.add_argument("inputs", nargs="+", type=Path, help="files and folders (searched recursively)")
    p.add_argument("-o", "--out", type=Path, required=True, help="output folder")
    p.add_argument("--lang", default=Settings.lang, help="Tesseract model (default: %(default)s)")
    p.add_argument("--psm", type=int, default=Settings.psm, help="Tesseract page segmentation mode (default: %(default)s)")
    p.add_argument("--dpi", type=int, default=Settings.dpi, help="PDF rendering resolution (default: %(default)s)")
    p.add_argument("--preprocess", type=_steps, default=Settings.preprocess, metavar="STEPS",
                   help=f"comma-separated steps from {','.join(preprocess.ALL_STEPS)} or none (default: {','.join(Settings.preprocess)})")
    p.add_argument("--no-repair", dest="repair", action="store_false", help="keep the raw OCR text")
    p.add_argument("--tone-style", choices=["old", "new"], default="old", help="tone mark placement: old (hóa, ủy) or new (hoá, uỷ)")
    p.add_argument("--no-page-images", dest="page_images", action="store_false", help="do not keep page images for review")
    p.add_argument("--page-timeout", type=float, default=Settings.page_timeout, help="seconds allowed per page (default: %(default)s)")


def cmd_process(args: argparse.Namespace) -> int:
    settings = Settings(
        lang=args.lang, psm=args.psm, dpi=args.dpi, preprocess=args.preprocess, repair=args.repair,
        tone_style=args.tone_style, page_images=args.page_images, page_timeout=args.page_timeout,
    )
    try:
        summary = batch.run(args.inputs, args.out, settings)
    except FileNotFoundError as exc:
        print(f"vnocr: {exc}", file=sys.stderr)
        return 2
    print(summary.line(), file=sys.stderr)
    for path, error in summary.failures:
        print(f"  failed: {path}: {error}", file=sys.stderr)
    return 1 if summary.failed else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vnocr", description=__doc__)
    parser.add_argument("--version", action="version", version=f"vnocr {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log diagnostics")
    sub = parser.add_subparsers(dest="command", required=True)
    _add_process(sub)
    return parser


COMMANDS = {"process": cmd_process}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    return COMMANDS[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
