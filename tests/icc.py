"""A matrix/TRC ICC v2 display profile built from a colour space's published definition
(primaries, white point, gamma), for tests of colour-managed images. Written from the ICC
specification (ICC.1:2001-04): a 128-byte header, a tag table, then the tags."""

from __future__ import annotations

import struct

import numpy as np

D50 = (0.9642, 1.0, 0.8249)  # the ICC profile connection space's white, XYZ
#: Bradford cone response matrix (Lam 1985), for the chromatic adaptation ICC prescribes.
BRADFORD = np.array([[0.8951, 0.2664, -0.1614], [-0.7502, 1.7135, 0.0367], [0.0389, -0.0685, 1.0296]])


def xyz_of_xy(x: float, y: float) -> np.ndarray:
    return np.array([x / y, 1.0, (1 - x - y) / y])


def rgb_to_xyz(primaries: tuple[tuple[float, float], ...], white: tuple[float, float]) -> np.ndarray:
    """The RGB -> XYZ matrix of a colour space given by its primaries' and white's xy
    chromaticities (SMPTE RP 177): columns are the primaries scaled so RGB = 1 is the white."""
    P = np.stack([xyz_of_xy(*p) for p in primaries], axis=1)
    return P * np.linalg.solve(P, xyz_of_xy(*white))[None, :]


def adapt(matrix: np.ndarray, white: tuple[float, float]) -> np.ndarray:
    """``matrix`` (RGB -> XYZ under ``white``) adapted to D50 by the Bradford transform."""
    src, dst = BRADFORD @ xyz_of_xy(*white), BRADFORD @ np.array(D50)
    return np.linalg.inv(BRADFORD) @ np.diag(dst / src) @ BRADFORD @ matrix


def _s15(v: float) -> bytes:
    return struct.pack(">i", int(round(v * 65536)))


def _xyz(v) -> bytes:
    return b"XYZ " + bytes(4) + b"".join(_s15(c) for c in v)


def _gamma(g: float) -> bytes:  # curveType with one entry: a pure power, u8Fixed8Number
    return b"curv" + bytes(4) + struct.pack(">IH", 1, int(round(g * 256))) + bytes(2)


def _srgb_curve() -> bytes:  # parametricCurveType function 3 (ICC.1:2004-10): IEC 61966-2-1's curve
    params = (2.4, 1 / 1.055, 0.055 / 1.055, 1 / 12.92, 0.04045)
    return b"para" + bytes(4) + struct.pack(">HH", 3, 0) + b"".join(_s15(v) for v in params)


def _desc(text: str) -> bytes:  # textDescriptionType: ASCII, then empty Unicode and ScriptCode parts
    t = text.encode("ascii") + b"\0"
    return b"desc" + bytes(4) + struct.pack(">I", len(t)) + t + bytes(4 + 4 + 2 + 1 + 67)


def _assemble(space: bytes, tags: list[tuple[bytes, bytes]]) -> bytes:
    """A display profile of colour ``space`` (4 bytes) holding ``tags`` (signature, data):
    the header, the tag table, the tags, each on a 4-byte boundary."""
    offset, table, data = 128 + 4 + 12 * len(tags), b"", b""
    for sig, body in tags:
        body += bytes(-len(body) % 4)
        table += sig + struct.pack(">II", offset + len(data), len(body))
        data += body
    body = struct.pack(">I", len(tags)) + table + data
    header = (struct.pack(">I", 128 + len(body)) + bytes(4) + struct.pack(">I", 0x02100000) + b"mntr" + space
              + b"XYZ " + bytes(12) + b"acsp" + bytes(4 + 4 + 4 + 4 + 8 + 4) + b"".join(_s15(c) for c in D50)
              + bytes(4 + 16 + 28))
    assert len(header) == 128
    return header + body


def profile(name: str, primaries: tuple[tuple[float, float], ...], white: tuple[float, float],
            gamma: float | None) -> bytes:
    """The ICC profile bytes of an RGB space with these primaries, white and gamma (None:
    the sRGB curve, as Display P3 has)."""
    colorants = adapt(rgb_to_xyz(primaries, white), white)
    trc = _srgb_curve() if gamma is None else _gamma(gamma)
    tags = [(b"desc", _desc(name)), (b"cprt", b"text" + bytes(4) + b"none\0"), (b"wtpt", _xyz(D50)),
            (b"rXYZ", _xyz(colorants[:, 0])), (b"gXYZ", _xyz(colorants[:, 1])), (b"bXYZ", _xyz(colorants[:, 2])),
            (b"rTRC", trc), (b"gTRC", trc), (b"bTRC", trc)]
    return _assemble(b"RGB ", tags)


def grey_profile(name: str, gamma: float | None) -> bytes:
    """The ICC profile bytes of a grey space: D50 white, a pure power ``gamma`` (kTRC; None:
    the sRGB curve)."""
    tags = [(b"desc", _desc(name)), (b"cprt", b"text" + bytes(4) + b"none\0"), (b"wtpt", _xyz(D50)),
            (b"kTRC", _srgb_curve() if gamma is None else _gamma(gamma))]
    return _assemble(b"GRAY", tags)


#: Adobe RGB (1998), as Adobe's specification defines it: these primaries, D65, and a
#: gamma of 563/256 (2.19921875).
ADOBE_RGB = dict(primaries=((0.64, 0.33), (0.21, 0.71), (0.15, 0.06)), white=(0.3127, 0.3290), gamma=563 / 256)
#: sRGB's (IEC 61966-2-1) primaries and white, those of BT.709.
SRGB_PRIMARIES, D65 = ((0.64, 0.33), (0.30, 0.60), (0.15, 0.06)), (0.3127, 0.3290)


def srgb_encode(linear: np.ndarray) -> np.ndarray:
    """IEC 61966-2-1's sRGB transfer function, 0-1 in and out."""
    linear = np.clip(linear, 0, 1)
    return np.where(linear <= 0.0031308, 12.92 * linear, 1.055 * linear ** (1 / 2.4) - 0.055)


def cmyk_profile(name: str) -> bytes:
    """An ICC v2 output profile of a CMYK space made up for tests, linear in every ink so any
    interpolation (multilinear, tetrahedral) gives it exactly: linear sRGB = 1 - (ink + K) / 2
    per channel (C for red, M for green, Y for blue; inks 0-1), to the PCS by sRGB's
    primaries adapted to D50. A lut16Type (mft2) A2B0 with a 2-point CLUT, XYZ PCS."""
    import itertools

    to_xyz = adapt(rgb_to_xyz(SRGB_PRIMARIES, D65), D65)
    clut = b""
    for c, m, y, k in itertools.product((0, 1), repeat=4):  # the first input varies slowest
        xyz = to_xyz @ (1 - (np.array([c, m, y], float) + k) / 2)
        clut += struct.pack(">3H", *(int(round(v * 32768)) for v in xyz))  # XYZ: 1.0 is 0x8000
    identity = b"".join(_s15(v) for v in (1, 0, 0, 0, 1, 0, 0, 0, 1))
    lut = (b"mft2" + bytes(4) + struct.pack(">BBBB", 4, 3, 2, 0) + identity + struct.pack(">HH", 2, 2)
           + struct.pack(">2H", 0, 65535) * 4 + clut + struct.pack(">2H", 0, 65535) * 3)
    tags = [(b"desc", _desc(name)), (b"cprt", b"text" + bytes(4) + b"none\0"), (b"wtpt", _xyz(D50)), (b"A2B0", lut)]
    data = bytearray(_assemble(b"CMYK", tags))
    data[12:16] = b"prtr"  # an output (printer) profile
    return bytes(data)


def cmyk_to_srgb(cmyk) -> tuple[int, int, int]:
    """8-bit CMYK to 8-bit sRGB as :func:`cmyk_profile` defines it, by IEC 61966-2-1's curve."""
    c, m, y, k = (v / 255 for v in cmyk)
    linear = 1 - (np.array([c, m, y]) + k) / 2
    return tuple(int(v) for v in np.rint(srgb_encode(linear) * 255))
