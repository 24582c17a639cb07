"""Colour: spaces (sRGB, linear light, CIELAB, Oklab) and letterbox detection."""
