/* streamprint: a movie's page. Each column of the strip is one sample; its data (time as
 * shown, frame, colours with shares, the nearest thumbnail) is in the JSON element #sp-data. */
(() => {
  const D = JSON.parse(document.getElementById("sp-data").textContent);
  const n = D.t.length, S = D.strip, W = S.width;
  const $ = (id) => document.getElementById(id);
  const strip = $("strip"), img = $("strip-img"), cursor = $("cursor");
  const thumb = $("thumb"), note = $("thumb-note"), colors = $("colors");
  const left = (i) => S.edges[i], right = (i) => S.edges[i + 1];
  let current = -1;

  /** The column under x, in the strip's own pixels. */
  function columnAt(x) {
    x = Math.min(Math.max(x, 0), W - 1e-9);
    let lo = 0, hi = n - 1; // the last column whose left edge is at or before x
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (S.edges[mid] <= x) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  /** The position of the kept thumbnail nearest to sample i, or -1. */
  function nearestThumb(i) {
    const kept = D.thumbs.i;
    if (!kept.length) return -1;
    let lo = 0, hi = kept.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (kept[mid] < i) lo = mid + 1; else hi = mid;
    }
    if (lo > 0 && i - kept[lo - 1] <= kept[lo] - i) lo -= 1;
    return lo;
  }

  function show(i) {
    i = Math.max(0, Math.min(n - 1, i));
    if (i === current) return;
    current = i;
    const time = D.t[i];
    $("time").textContent = time;
    $("where").textContent = "sample " + (i + 1) + " of " + n + " · frame " + D.f[i];
    const hexes = D.c[i], shares = D.w[i], items = [];
    for (let k = 0; k < shares.length; k++) items.push(spSwatch("#" + hexes.slice(6 * k, 6 * k + 6), shares[k]));
    colors.replaceChildren(...items);
    const a = left(i), b = right(i);
    cursor.hidden = false;
    cursor.style.left = ((a + b) / 2 / W) * 100 + "%";
    cursor.style.width = ((b - a) / W) * 100 + "%";
    strip.setAttribute("aria-valuenow", String(i));
    strip.setAttribute("aria-valuetext", time);
    const j = nearestThumb(i);
    if (j < 0) {
      thumb.hidden = true;
      note.textContent = "no thumbnail (" + D.thumbs.why + ")";
    } else {
      thumb.hidden = false;
      thumb.src = "data:" + D.thumbs.mime + ";base64," + D.thumbs.src[j];
      const k = D.thumbs.i[j];
      note.textContent = k === i ? "frame " + D.f[i] : "nearest thumbnail: " + D.t[k];
    }
    document.body.dataset.column = String(i);
  }

  function where(event) {
    const r = img.getBoundingClientRect();
    return { x: ((event.clientX - r.left) * W) / r.width, y: ((event.clientY - r.top) * S.height) / r.height };
  }

  let pixels = null;
  /** The hex code of the strip's pixel at (x, y), in its own pixels. */
  function pixel(x, y) {
    // the one pixel drawn into a 1 x 1 canvas: a canvas as wide as a strip past 65,535 px
    // is over the browser's limit, and every pixel read from it was #000000
    if (!pixels) {
      const canvas = document.createElement("canvas");
      canvas.width = 1;
      canvas.height = 1;
      pixels = canvas.getContext("2d", { willReadFrequently: true });
    }
    const px = Math.max(0, Math.min(W - 1, Math.floor(x))), py = Math.max(0, Math.min(S.height - 1, Math.floor(y)));
    pixels.clearRect(0, 0, 1, 1);
    pixels.drawImage(img, px, py, 1, 1, 0, 0, 1, 1);
    const d = pixels.getImageData(0, 0, 1, 1).data;
    return "#" + [d[0], d[1], d[2]].map((v) => v.toString(16).padStart(2, "0")).join("");
  }

  strip.addEventListener("pointermove", (event) => show(columnAt(where(event).x)));
  strip.addEventListener("pointerdown", (event) => show(columnAt(where(event).x)));
  strip.addEventListener("click", (event) => {
    const p = where(event);
    show(columnAt(p.x));
    spCopy(pixel(p.x, p.y));
  });
  // Keys step through the columns only while the strip has focus (a click or Tab gives it):
  // elsewhere they scroll the page and move the caret as usual.
  strip.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const step = event.shiftKey ? 10 : 1;
    let i = current < 0 ? 0 : current;
    if (event.key === "ArrowRight") i += step;
    else if (event.key === "ArrowLeft") i -= step;
    else if (event.key === "Home") i = 0;
    else if (event.key === "End") i = n - 1;
    else return;
    event.preventDefault();
    show(i);
  });
  show(0);
  document.documentElement.dataset.ready = "1";
  performance.mark("streamprint-ready");
})();
