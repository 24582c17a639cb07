"""Stage 4, the renderer: palettes in, pictures out.

``strip`` draws raster strips (stacked, dominant, average, smooth), ``columns`` resamples
a fingerprint to a width by time, ``ring`` bends a strip into a circle, ``plot`` puts one
on a time axis, ``svg`` writes vector strips, ``text`` draws labels (palette cards, grids),
and ``output`` draws a whole fingerprint as :class:`~streamprint.model.RenderOptions` say
and writes it atomically. Images are (height, width, 3) uint8 sRGB arrays (a ring's are
RGBA, (height, width, 4)); sizes are pixels.
"""

from .columns import columns_by_time, columns_for_width, timeline
from .output import draw, encode_png, flatten, picture_columns, plot_bytes, plot_png, save_image, write_image
from .ring import ring
from .strip import column_colors, order_palette, render, render_stacked, segment_heights, smooth_colors, \
    stable_orders
from .svg import svg

__all__ = ["column_colors", "columns_by_time", "columns_for_width", "draw", "encode_png", "flatten",
           "order_palette", "picture_columns", "plot_bytes", "plot_png", "render", "render_stacked", "ring",
           "save_image", "segment_heights", "smooth_colors", "stable_orders", "svg", "timeline", "write_image"]
