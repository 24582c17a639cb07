"""Every file streamprint reads or writes, one reader and one writer per format.

Readers trust nothing: each checks types, ranges, counts and versions, and raises
:class:`~streamprint.errors.DataFormatError` with the file's name in the message.
"""

from .checkpoint import read_checkpoint, write_checkpoint
from .fingerprint import is_fingerprint_file, read_fingerprint, write_fingerprint
from .gallery import read_gallery_cache, write_gallery_cache
from .manifest import read_manifest, write_manifest
from .palette import palette_table, read_palettes, write_palettes

__all__ = ["is_fingerprint_file", "palette_table", "read_checkpoint", "read_fingerprint", "read_gallery_cache",
           "read_manifest", "read_palettes", "write_checkpoint", "write_fingerprint", "write_gallery_cache",
           "write_manifest", "write_palettes"]
