"""`vnocr review OUT`: serve the review app with uvicorn."""

from __future__ import annotations

import sys
from pathlib import Path

import uvicorn

from .app import LOOPBACK_HOSTS, create_app

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def serve(out_dir: Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
    """Run until Ctrl+C. On a loopback address only requests naming that host are answered."""
    loopback = host in LOOPBACK_HOSTS
    app = create_app(out_dir, allowed_hosts=LOOPBACK_HOSTS if loopback else None)
    shown = f"[{host}]" if ":" in host else host
    print(f"vnocr review: {out_dir} at http://{shown}:{port}/  (Ctrl+C to stop)", file=sys.stderr)
    if not loopback:
        print("vnocr review: warning: listening beyond this machine; anyone who can reach it can correct documents",
              file=sys.stderr)
    uvicorn.run(app, host=host, port=port, log_level="warning")
