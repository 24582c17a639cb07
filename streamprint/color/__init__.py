"""Colour science helpers: HDR (PQ / HLG, BT.2020) to SDR (sRGB) conversion in :mod:`.tonemap`."""
