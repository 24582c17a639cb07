"""Every file streamprint reads or writes, one reader and one writer per format.

Readers trust nothing: each checks types, ranges, counts and versions, and raises
:class:`~streamprint.errors.DataFormatError` with the file's name in the message.
"""

from .checkpoint import read_checkpoint, write_checkpoint
from .fingerprint import read_fingerprint, write_fingerprint
from .manifest import read_manifest, write_manifest
from .palette import palette_table, read_palettes, write_palettes

__all__ = ["palette_table", "read_checkpoint", "read_fingerprint", "read_manifest", "read_palettes",
           "write_checkpoint", "write_fingerprint", "write_manifest", "write_palettes"]
