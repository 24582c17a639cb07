"""How an image file says its values show, and those values brought to sRGB: an embedded
ICC profile, a PNG's cICP and gAMA / cHRM / sRGB chunks, an AVIF's nclx, a camera's EXIF
colour space.

The library never prints: a tag it cannot use is ignored, with a warning in the log.
"""

from __future__ import annotations

import functools
import io
import struct
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import log
from .transfer import SRGB_TRANSFER

#: What Pillow raises on damaged metadata besides ``OSError`` and ``ValueError``.
_DAMAGED = (SyntaxError, RuntimeError, EOFError, struct.error)


def as_srgb(img: Any, mode: str) -> Any:
    """``img`` as a PIL image of ``mode`` ("RGB" or "RGBA") in sRGB, by the first of these it
    carries: a PNG's cICP (PNG's 3rd edition puts it before all else) where
    :func:`file_cicp` found one it can apply; its embedded ICC profile (a Display P3 photo,
    an Adobe RGB or CMYK file), relative colorimetric as browsers render it; an AVIF's nclx;
    a PNG's sRGB chunk, else its gAMA and cHRM as browsers apply them
    (:func:`_png_gamma_chromaticity`); a camera's EXIF saying Adobe RGB
    (:func:`_exif_adobe_rgb`). As it is when it has none of these (untagged pixels are
    sRGB): then ``img`` itself when it is in ``mode`` already. A profile LittleCMS cannot
    use is ignored, with a warning in the log."""
    cicp, icc = img.info.get(CICP), img.info.get("icc_profile")
    # an AVIF's ICC profile wins over its nclx, as libavif has it
    if cicp is not None and not (cicp[0] == AVIF_NCLX and icc) and (done := _cicp(img, mode, cicp)) is not None:
        return done
    if not icc:
        said = _gamma_chromaticity(img)
        if said is None:
            return _as_mode(img, mode)
        gamma, chrm = said
        return _png_gamma_chromaticity(_as_mode(img, mode), gamma, None if img.mode in _GREY_MODES else chrm)
    from PIL import ImageCms

    if mode == "RGBA" and img.mode in ("LA", "L"):  # a grey profile takes grey: the alpha goes round it
        alpha, grey = img.convert("RGBA").getchannel("A"), img.convert("L")
        grey.info["icc_profile"] = icc
        rgba = as_srgb(grey, "RGB")
        rgba.putalpha(alpha)
        return rgba
    source = img if img.mode in ("CMYK", "L") and mode == "RGB" else _as_mode(img, mode)
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if source.mode == "L":
            return _grey_to_srgb(source, profile)
        return ImageCms.profileToProfile(source, profile, ImageCms.createProfile("sRGB"), outputMode=mode,
                                         renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError) as exc:
        log.warning("ignoring the image's ICC profile, which LittleCMS cannot use (%s): its values are "
                    "taken as sRGB", exc)
        return _as_mode(img, mode)


def _gamma_chromaticity(img: Any) -> tuple[float | None, tuple[float, ...] | None] | None:
    """The gAMA and cHRM :func:`as_srgb` applies to ``img`` when it has no ICC profile (a
    camera's EXIF Adobe RGB as those); None when an sRGB chunk, or nothing, says its values
    are sRGB."""
    gamma, chrm = img.info.get("gamma"), img.info.get("chromaticity")
    if "srgb" not in img.info and gamma is None and chrm is None and _exif_adobe_rgb(img):
        from .primaries import ADOBE_RGB_GAMMA, ADOBE_RGB_XY, D65

        return 1 / ADOBE_RGB_GAMMA, (*D65, *(v for xy in ADOBE_RGB_XY for v in xy))
    if "srgb" in img.info or (gamma is None and chrm is None):
        return None
    return gamma, chrm


def deep_curve(img: Any, grey: bool, cicp: Any = None) -> Curve | None:
    """The :class:`Curve` that takes ``img``'s 16-bit samples to sRGB by its gAMA and cHRM
    (a camera's EXIF Adobe RGB), for a 16-bit image read at full depth: cut to 8 bits first,
    a linear (gAMA 1.0) 200 of 65535 came out 13, not 10. None when another tag applies
    first (an ICC profile; a cICP, ``cicp``: what :func:`file_cicp` found) or none changes
    its values; ``grey``: its cHRM is not applied (as for any grey image)."""
    if img.info.get("icc_profile") or cicp is not None or CICP in img.info or (said := _gamma_chromaticity(img)) is None:
        return None
    gamma, chrm = said
    return _curve(gamma, None if grey else chrm, 65535)


def curve_spent(info: dict[str, Any]) -> dict[str, Any]:
    """``info`` without the tags a :func:`deep_curve` applied (its gAMA and cHRM, a camera's
    EXIF Adobe RGB), so that :func:`as_srgb` does not apply them again."""
    return {**{k: v for k, v in info.items() if k not in ("gamma", "chromaticity")}, EXIF_ADOBE: False}


@dataclass(frozen=True, eq=False)
class Curve:
    """How an image's samples show (a PNG's gAMA and cHRM), as tables: ``decode``, the linear
    light (float32) of each level 0-top; ``matrix``, its primaries to BT.709 (transposed,
    float32), None for sRGB's."""

    decode: np.ndarray
    matrix: np.ndarray | None

    def srgb(self, levels: np.ndarray) -> np.ndarray:
        """``levels`` (int, (..., 3) RGB, or any shape without a matrix) as 8-bit sRGB
        levels: linear light, to BT.709, clipped per channel as ICC's relative colorimetric
        rendering does, then the sRGB curve (to the nearest of 65536 steps)."""
        lin = self.decode[levels]
        if self.matrix is not None:
            lin = lin @ self.matrix
        return _srgb_encoding()[np.rint(np.clip(lin, 0, 1) * 65535).astype(np.int64)]


@functools.cache
def _srgb_encoding() -> np.ndarray:
    """The 8-bit sRGB level of each of 65536 steps of linear light 0-1."""
    from .spaces import linear_to_srgb

    return np.rint(linear_to_srgb(np.arange(65536) / 65535.0, np.float32)).astype(np.uint8)


def _curve(gamma: float | None, chrm: tuple[float, ...] | None, top: int) -> Curve | None:
    """The :class:`Curve` of a PNG's gAMA / cHRM for samples 0-``top``: light = sample **
    (1 / gamma) (PNG: gAMA is the encoding exponent; without gAMA the sRGB curve), the cHRM
    primaries and white (SMPTE RP 177, white adapted to D65 by Bradford) to BT.709. None
    when they change nothing: a gAMA near 1/2.2 with no cHRM or sRGB's own (within 0.005 in
    x and y) is sRGB's stand-in (encoders write it beside, or for, an sRGB chunk; libpng
    takes it so): as a pure power it made 10 into 3. What is no gamma or no set of primaries
    is ignored, with a warning."""
    from .primaries import D65, PRIMARIES_XY, Primaries, xy_to_bt709
    from .spaces import srgb_to_linear

    if gamma is not None and not gamma > 0:
        log.warning("ignoring the PNG's gAMA of %s: not a gamma", gamma)
        gamma = None
    m = None
    if chrm is not None:
        white, xy = (chrm[0], chrm[1]), ((chrm[2], chrm[3]), (chrm[4], chrm[5]), (chrm[6], chrm[7]))
        try:
            m = xy_to_bt709(xy, white)
        except (np.linalg.LinAlgError, ZeroDivisionError, FloatingPointError):
            m = None
        if m is None or not np.isfinite(m).all():
            log.warning("ignoring the PNG's cHRM %s: not a set of primaries", chrm)
            m, chrm = None, None  # as if it had none (a gAMA of 1/2.2 beside it is then sRGB's)
    srgb_xy = (*D65, *(v for xy in PRIMARIES_XY[Primaries.BT709] for v in xy))
    srgb_ish = chrm is None or all(abs(a - b) <= 0.005 for a, b in zip(chrm, srgb_xy, strict=True))
    if (srgb_ish and gamma is not None and abs(gamma * 2.2 - 1) < 0.01) or (gamma is None and m is None):
        return None
    levels = np.arange(top + 1)
    if gamma is not None:
        decode = (levels / top) ** (1 / gamma)
    else:
        decode = srgb_to_linear(levels.astype(np.uint8) if top == 255 else levels * (255 / top))
    return Curve(decode.astype(np.float32), None if m is None else m.T.astype(np.float32))


def _grey_to_srgb(img: Any, profile: Any) -> Any:
    """An "L" image through its grey ``profile`` to sRGB "RGB": its 256 levels converted
    unoptimised, then looked up. LittleCMS's optimised 8-bit grey transform lost the dark
    levels (a linear grey's 1 came out 6, not 13), and unoptimised on every pixel it took
    1.4 s more for a 1600 x 1200 card."""
    from PIL import Image

    table = _ramp_to_srgb(Image.frombytes("L", (256, 1), bytes(range(256))), profile)
    return Image.fromarray(table[0][np.asarray(img)], mode="RGB")


def _ramp_to_srgb(ramp: Any, profile: Any) -> np.ndarray:
    """A ramp of grey levels through a grey ``profile`` to sRGB "RGB", unoptimised: the one
    conversion behind the 8- and 16-bit grey tables (LittleCMS's optimised grey transforms
    lose the dark levels). Raises what ImageCms raises."""
    from PIL import ImageCms

    done = ImageCms.profileToProfile(ramp, profile, ImageCms.createProfile("sRGB"), outputMode="RGB",
                                     renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
                                     flags=ImageCms.Flags.NOOPTIMIZE)
    return np.asarray(done)


def grey16_table(icc: bytes) -> np.ndarray | None:
    """The sRGB "RGB" levels ((65536, 3) uint8) of each 16-bit level of a grey ICC profile,
    converted unoptimised; None when LittleCMS cannot use the profile (:func:`as_srgb` then
    says so). A 16-bit grey image cut to 8 bits before its profile lost its dark levels
    (a linear grey's 200 of 65535 came out 13, not 10)."""
    from PIL import Image, ImageCms

    ramp = Image.frombytes("I;16", (256, 256), np.arange(65536, dtype="<u2").tobytes())
    try:
        done = _ramp_to_srgb(ramp, ImageCms.ImageCmsProfile(io.BytesIO(icc)))
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return None
    return done.reshape(65536, 3)


#: The info key under which :func:`file_cicp` leaves what it found for :func:`as_srgb`.
CICP = "streamprint_cicp"
#: Where the codes came from: a PNG's cICP chunk, an AVIF's nclx colour box.
PNG_CICP, AVIF_NCLX = "PNG cICP", "AVIF nclx"
#: H.273 TransferCharacteristics of BT.709 and its kin (SDR, unspecified), and the sRGB curve.
_SDR_TRANSFERS = (1, 2, 6, SRGB_TRANSFER, 14, 15)
#: Pillow's modes of grey images.
_GREY_MODES = frozenset({"1", "L", "LA", "I", "I;16", "F"})
#: H.273 MatrixCoefficients 0 is RGB; ColourPrimaries 2 is unspecified.
_RGB_MATRIX, _UNSPECIFIED = 0, 2
#: The most of an AVIF's meta box read for its nclx box, bytes.
_META_BYTES = 1 << 20


def file_cicp(img: Any) -> tuple[str, int, int, int, int] | None:
    """The H.273 codes (colour primaries, transfer characteristics, matrix coefficients,
    full-range flag) of a PNG's cICP chunk or an AVIF's nclx colour box, with which of the
    two it was, read from the file before its pixels are: Pillow reads neither, and a
    Display P3 image tagged by one alone (as browsers honour) was taken as sRGB. None when
    there is none, or the image is neither or already read."""
    fp = getattr(img, "fp", None)
    if img.format not in ("PNG", "AVIF") or not getattr(img, "tile", None) or fp is None:
        return None
    where = fp.tell()
    try:
        return _png_cicp(fp) if img.format == "PNG" else _avif_nclx(fp)
    except (OSError, ValueError, struct.error):
        return None
    finally:
        fp.seek(where)


def _png_cicp(fp: Any) -> tuple[str, int, int, int, int] | None:
    fp.seek(8)
    while len(head := fp.read(8)) == 8:
        length, kind = struct.unpack(">I4s", head)
        if kind in (b"IDAT", b"IEND"):
            return None
        if kind == b"cICP" and length == 4:
            p, t, m, f = fp.read(4)
            return PNG_CICP, p, t, m, f
        fp.seek(length + 4, io.SEEK_CUR)
    return None


def _avif_nclx(fp: Any) -> tuple[str, int, int, int, int] | None:
    """The nclx 'colr' box inside an AVIF's top-level meta box (ISO/IEC 14496-12 boxes)."""
    fp.seek(0)
    while len(head := fp.read(8)) == 8:
        size, kind = struct.unpack(">I4s", head)
        header = 8
        if size == 1:
            size, header = struct.unpack(">Q", fp.read(8))[0], 16
        if kind == b"meta":
            body = fp.read(min(size - header, _META_BYTES) if size else _META_BYTES)
            at = body.find(b"colrnclx")
            if at < 0 or len(body) < at + 15:
                return None
            p, t, m, f = struct.unpack(">HHHB", body[at + 8:at + 15])
            return AVIF_NCLX, p, t, m, f >> 7
        if size < header:
            return None
        fp.seek(size - header, io.SEEK_CUR)
    return None


def _cicp(img: Any, mode: str, cicp: tuple[str, int, int, int, int]) -> Any:
    """``img`` in sRGB by its H.273 codes (:func:`file_cicp`): the sRGB curve and primaries
    of :data:`~.primaries.PRIMARIES_XY` (Display P3 is 12/13/0/1), for a PNG in full-range
    RGB (an AVIF's matrix and range are its decoder's). None for codes it leaves to the
    other tags: an AVIF's BT.709-like codes silently (they are sRGB's, as before), anything
    else (PQ, HLG, narrow range) with a warning."""
    from .primaries import D65, PRIMARIES_XY, Primaries, primaries_for

    source, p, t, m, f = cicp
    primaries, decoded = primaries_for(p, None), source == AVIF_NCLX
    if t == SRGB_TRANSFER and primaries is not None and (decoded or (m, f) == (_RGB_MATRIX, 1)):
        if primaries is Primaries.BT709 or img.mode in _GREY_MODES:
            return _as_mode(img, mode)
        return _png_gamma_chromaticity(_as_mode(img, mode), None,
                                       (*D65, *(v for xy in PRIMARIES_XY[primaries] for v in xy)))
    if not (decoded and p in (Primaries.BT709.value, _UNSPECIFIED) and t in _SDR_TRANSFERS):
        log.warning("ignoring the %s %d/%d/%d/%d: only the sRGB curve (13) with primaries 1, 9 or 12 "
                    "is applied", source, p, t, m, f)
    return None

def _as_mode(img: Any, mode: str) -> Any:
    """``img`` in ``mode``: itself when it is in it already (Pillow's convert copies it, 432
    MB more for a 144-megapixel photo), so the caller must not change what it returns."""
    return img if img.mode == mode else img.convert(mode)


#: EXIF tags: the Exif IFD's ColorSpace, the Interoperability IFD's InteroperabilityIndex.
_COLOR_SPACE, _INTEROP_INDEX = 0xA001, 0x0001
#: ColorSpace values: 0xFFFF "uncalibrated" (EXIF 2.3, with DCF's "R03" index: Adobe RGB),
#: 2 (written for Adobe RGB by some cameras and editors, outside the standard).
_UNCALIBRATED, _ADOBE_COLOR_SPACE = 0xFFFF, 2


#: The info key under which :func:`portable_info` leaves what :func:`_exif_adobe_rgb` found.
EXIF_ADOBE = "streamprint_exif_adobe_rgb"


def portable_info(img: Any) -> dict[str, Any]:
    """``img``'s info, with what :func:`as_srgb` reads from the image itself (its EXIF colour
    space) put in it: for a new image made of some of its pixels, which is then brought to
    sRGB as ``img`` would be (a TIFF's EXIF lives in its tags, not in its info)."""
    return {**img.info, EXIF_ADOBE: _exif_adobe_rgb(img)}


def _exif_adobe_rgb(img: Any) -> bool:
    """Whether ``img``'s EXIF says its values are Adobe RGB (1998) though it carries no
    profile, as a camera set to Adobe RGB writes its JPEGs (DCF 2.0, "option colour
    space"): ColorSpace uncalibrated with the interoperability index "R03", or ColorSpace
    2. Colour-managed viewers (Photoshop, Lightroom, macOS) show them so; taken as sRGB,
    every colour came out duller."""
    if EXIF_ADOBE in img.info:  # found in the image these pixels came from (portable_info)
        return bool(img.info[EXIF_ADOBE])
    try:
        exif = img.getexif()
        space = exif.get_ifd(0x8769).get(_COLOR_SPACE)
        if space == _ADOBE_COLOR_SPACE:
            return True
        index = exif.get_ifd(0xA005).get(_INTEROP_INDEX) if space == _UNCALIBRATED else None
    except (OSError, ValueError, KeyError, TypeError, *_DAMAGED):  # a damaged EXIF block says nothing
        return False
    if isinstance(index, bytes):
        index = index.decode("latin-1")
    return isinstance(index, str) and index.rstrip("\0 ") == "R03"


def _png_gamma_chromaticity(img: Any, gamma: float | None, chrm: tuple[float, ...] | None) -> Any:
    """An RGB(A) image whose PNG gAMA / cHRM say how its samples map to light, in sRGB
    (:func:`_curve`); ``img`` itself when they change nothing. Per pixel through tables
    and in float32 row bands: a 12-megapixel PNG took 8 s and 2 GB in float64."""
    from PIL import Image

    curve = _curve(gamma, chrm, 255)
    if curve is None:
        return img
    out = np.array(img)
    for top in range(0, out.shape[0], 256):  # bands of rows: memory bounded whatever the size
        band = out[top:top + 256, :, :3]
        band[:] = curve.srgb(band)
    return Image.fromarray(out, mode=img.mode)
