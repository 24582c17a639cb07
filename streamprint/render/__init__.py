"""Stage 4, the renderer: palettes in, pictures out.

``strip`` draws raster strips (stacked, dominant, average, smooth), ``ring`` bends one
into a circle, ``plot`` puts one on a time axis, ``svg`` writes vector strips, and
``output`` draws a whole fingerprint as :class:`~streamprint.model.RenderOptions` say and
writes it atomically. Images are (height, width, 3) uint8 sRGB arrays; sizes are pixels.
"""

from .output import draw, encode_png, plot_png, save_image, write_image
from .ring import ring
from .strip import column_colors, order_palette, render, render_stacked, segment_heights, smooth_colors, \
    stable_orders
from .svg import svg

__all__ = ["column_colors", "draw", "encode_png", "order_palette", "plot_png", "render", "render_stacked", "ring",
           "save_image", "segment_heights", "smooth_colors", "stable_orders", "svg", "write_image"]
