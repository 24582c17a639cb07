/* streamprint: CIELAB and CIEDE2000, as in streamprint.color.spaces. */

/** CIELAB (D65, L 0-100) of an 8-bit sRGB colour (IEC 61966-2-1). */
function spLab(r, g, b) {
  const lin = (v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  const R = lin(r), G = lin(g), B = lin(b);
  const x = (0.4124564 * R + 0.3575761 * G + 0.1804375 * B) / 0.95047;
  const y = 0.2126729 * R + 0.7151522 * G + 0.072175 * B;
  const z = (0.0193339 * R + 0.119192 * G + 0.9503041 * B) / 1.08883;
  const e = Math.pow(6 / 29, 3), k = 3 * Math.pow(6 / 29, 2);
  const f = (t) => (t > e ? Math.cbrt(t) : t / k + 4 / 29);
  const fx = f(x), fy = f(y), fz = f(z);
  return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)];
}

/** The CIEDE2000 difference of two CIELAB colours, kL = kC = kH = 1 (Sharma, Wu and Dalal 2005). */
function spDeltaE2000(L1, a1, b1, L2, a2, b2) {
  const rad = Math.PI / 180, p7 = Math.pow(25, 7);
  const cm7 = Math.pow((Math.hypot(a1, b1) + Math.hypot(a2, b2)) / 2, 7);
  const g = 0.5 * (1 - Math.sqrt(cm7 / (cm7 + p7)));
  const a1p = (1 + g) * a1, a2p = (1 + g) * a2;
  const c1 = Math.hypot(a1p, b1), c2 = Math.hypot(a2p, b2);
  const hue = (a, b) => (a === 0 && b === 0 ? 0 : ((Math.atan2(b, a) / rad) % 360 + 360) % 360);
  const h1 = hue(a1p, b1), h2 = hue(a2p, b2);
  const chromatic = c1 * c2 !== 0;
  let dh = h2 - h1;
  if (dh > 180) dh -= 360; else if (dh < -180) dh += 360;
  if (!chromatic) dh = 0;
  const dH = 2 * Math.sqrt(c1 * c2) * Math.sin((dh * rad) / 2);
  let hbar = h1 + h2;
  if (chromatic) {
    if (Math.abs(h1 - h2) > 180) hbar += hbar < 360 ? 360 : -360;
    hbar /= 2;
  }
  const lbar = (L1 + L2) / 2, cbar = (c1 + c2) / 2;
  const t = 1 - 0.17 * Math.cos((hbar - 30) * rad) + 0.24 * Math.cos(2 * hbar * rad)
    + 0.32 * Math.cos((3 * hbar + 6) * rad) - 0.2 * Math.cos((4 * hbar - 63) * rad);
  const dtheta = 30 * Math.exp(-Math.pow((hbar - 275) / 25, 2));
  const cbar7 = Math.pow(cbar, 7);
  const rc = 2 * Math.sqrt(cbar7 / (cbar7 + p7));
  const l50 = Math.pow(lbar - 50, 2);
  const sl = 1 + (0.015 * l50) / Math.sqrt(20 + l50), sc = 1 + 0.045 * cbar, sh = 1 + 0.015 * cbar * t;
  const rt = -Math.sin(2 * dtheta * rad) * rc;
  const dl = (L2 - L1) / sl, dc = (c2 - c1) / sc, dhs = dH / sh;
  return Math.sqrt(Math.max(0, dl * dl + dc * dc + dhs * dhs + rt * dc * dhs));
}
