"""Colour: spaces (sRGB, linear light, CIELAB, Oklab), letterbox detection, and HDR (PQ
and HLG) to SDR tone mapping."""
