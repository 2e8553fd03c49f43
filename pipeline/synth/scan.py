"""Make a clean page look scanned (:func:`degrade`), and write pages as a scanner's PDF (:func:`save_pdf`)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
from PIL import Image


@dataclass(frozen=True)
class Degradation:
    """Scan simulation settings; all randomness comes from the ``seed`` given to :func:`degrade`."""

    dpi: int | None = None  # rescan resolution; None keeps the page's
    rotation_deg: float = 0.0  # counter-clockwise skew
    noise: float = 4.0  # gaussian noise sigma (grey levels)
    blur: float = 0.6  # gaussian blur sigma (pixels at 300 DPI, scaled with dpi)
    jpeg_quality: int | None = None  # JPEG round-trip quality; None = no round-trip
    speckles: float = 0.0002  # fraction of pixels hit by salt-and-pepper dots
    dark_border: float = 0.0  # max width (mm) of dark scanner borders; 0 = none
    contrast: float = 1.0  # ink strength (<1 faded, >1 heavy)
    background: float = 6.0  # amplitude (grey levels) of uneven paper shading
    paper: float = 242.0  # mean paper grey level
    bitonal: bool = False  # threshold to 1-bit like a bitonal office scanner
    threshold: int = 150  # bitonal threshold


def _dpi_of(image: Image.Image, default: int = 300) -> int:
    dpi = image.info.get("dpi")
    try:
        return int(round(float(dpi[0]))) if dpi else default
    except (TypeError, ValueError, IndexError):
        return default


def degrade(image: Image.Image, d: Degradation, seed: int) -> Image.Image:
    """Make a clean page look scanned; deterministic for a given (image, d, seed)."""
    import cv2

    rng = np.random.default_rng(seed)
    src_dpi = _dpi_of(image)
    out_dpi = d.dpi or src_dpi
    a = np.asarray(image.convert("L"), dtype=np.float32)
    if out_dpi != src_dpi:
        h, w = a.shape
        size = (max(1, round(w * out_dpi / src_dpi)), max(1, round(h * out_dpi / src_dpi)))
        interp = cv2.INTER_AREA if out_dpi < src_dpi else cv2.INTER_CUBIC
        a = cv2.resize(a, size, interpolation=interp)
    h, w = a.shape
    k = out_dpi / 300.0
    # ink strength over an unevenly lit paper
    dark = (255.0 - a) / 255.0
    grid = rng.standard_normal((4, 3)).astype(np.float32)
    shade = cv2.resize(grid, (w, h), interpolation=cv2.INTER_CUBIC) * d.background
    paper = d.paper + shade
    ink = 22.0 + rng.uniform(-6, 6)
    a = paper - np.clip(dark * d.contrast, 0.0, 1.0) * (paper - ink)
    bed = float(rng.uniform(25, 60))  # scanner background seen past the page edge
    if d.rotation_deg:
        m = cv2.getRotationMatrix2D((w / 2, h / 2), d.rotation_deg, 1.0)
        fill = bed if d.dark_border > 0 else float(d.paper)
        a = cv2.warpAffine(a, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=fill)
    if d.blur > 0:
        a = cv2.GaussianBlur(a, (0, 0), d.blur * k)
    if d.dark_border > 0:
        px = d.dark_border * out_dpi / 25.4
        sides = [s for s in ("left", "right", "top", "bottom") if rng.random() < 0.5] or ["left"]
        for side in sides:
            n = h if side in ("left", "right") else w
            ramp = np.linspace(rng.uniform(0.2, 1.0), rng.uniform(0.2, 1.0), n) * px
            ramp += cv2.resize(rng.standard_normal((8, 1)).astype(np.float32), (1, n)).ravel() * px * 0.05
            depth = np.arange(w if side in ("left", "right") else h, dtype=np.float32)
            if side in ("right", "bottom"):
                depth = depth[::-1]
            if side in ("left", "right"):
                mask = depth[None, :] < ramp[:, None]
            else:
                mask = depth[:, None] < ramp[None, :]
            a[mask] = bed
    if d.noise > 0:
        a += rng.standard_normal(a.shape, dtype=np.float32) * d.noise
    if d.speckles > 0:
        n = int(d.speckles * w * h)
        ys, xs = rng.integers(0, h, n), rng.integers(0, w, n)
        pepper = rng.random(n) < 0.6
        a[ys[pepper], xs[pepper]] = rng.uniform(20, 110, int(pepper.sum()))
        big = pepper & (rng.random(n) < 0.5)
        a[np.minimum(ys[big] + 1, h - 1), xs[big]] = 60.0
        a[ys[big], np.minimum(xs[big] + 1, w - 1)] = 60.0
        a[ys[~pepper], xs[~pepper]] = 255.0
    a = np.clip(a, 0, 255).astype(np.uint8)
    if d.bitonal:
        out = Image.fromarray(np.where(a < d.threshold, 0, 255).astype(np.uint8)).convert("1", dither=Image.Dither.NONE)
    else:
        out = Image.fromarray(a, mode="L")
        if d.jpeg_quality:
            buf = io.BytesIO()
            out.save(buf, "JPEG", quality=int(d.jpeg_quality))
            buf.seek(0)
            out = Image.open(buf)
            out.load()
            out = out.convert("L")
    out.info["dpi"] = (out_dpi, out_dpi)
    return out


# --------------------------------------------------------------------------- PDF


def _pdf_jpeg_page(img: Image.Image, quality: int) -> bytes:
    buf = io.BytesIO()
    img.convert("L").save(buf, "JPEG", quality=int(quality), dpi=(_dpi_of(img),) * 2)
    return buf.getvalue()


def save_pdf(pages: Sequence[Image.Image], path: str | Path, jpeg_quality: int = 75, dpi: int | None = None) -> None:
    """Write a scanner-style PDF: each page is exactly one embedded grayscale JPEG (DCTDecode)."""
    if not pages:
        raise ValueError("no pages")
    objs: list[bytes] = []
    n = len(pages)
    kids = " ".join(f"{3 + 3 * i} 0 R" for i in range(n))
    objs.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objs.append(f"<< /Type /Pages /Kids [{kids}] /Count {n} >>".encode())
    for i, img in enumerate(pages):
        res = dpi or _dpi_of(img)
        wpt, hpt = img.width * 72.0 / res, img.height * 72.0 / res
        jpg = _pdf_jpeg_page(img, jpeg_quality)
        content_no, image_no = 4 + 3 * i, 5 + 3 * i  # the page itself is object 3 + 3 * i
        content = f"q {wpt:.4f} 0 0 {hpt:.4f} 0 0 cm /Im0 Do Q\n".encode()
        objs.append(
            (
                f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {wpt:.4f} {hpt:.4f}] "
                f"/Resources << /XObject << /Im0 {image_no} 0 R >> >> /Contents {content_no} 0 R >>"
            ).encode()
        )
        objs.append(f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"endstream")
        objs.append(
            (
                f"<< /Type /XObject /Subtype /Image /Width {img.width} /Height {img.height} "
                f"/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode /Length {len(jpg)} >>\nstream\n"
            ).encode()
            + jpg
            + b"\nendstream"
        )
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for k, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += f"{k} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    Path(path).write_bytes(bytes(out))
