/* streamprint: a library's gallery. The movies' data is in the JSON element #sp-data; each
 * movie's colour bins ("b", base64: a bitmap of the bins used, least significant bit first,
 * then each one's share of the time as a little-endian uint16) serve the search. */
(() => {
  const D = JSON.parse(document.getElementById("sp-data").textContent);
  const movies = D.movies, BINS = 1 << (3 * D.bits), shift = 8 - D.bits;
  const $ = (id) => document.getElementById(id);
  const grid = $("grid"), status = $("status"), pick = $("pick"), threshold = $("threshold");
  const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
  const make = (tag, cls, text) => {
    const el = document.createElement(tag);
    if (cls) el.className = cls;
    if (text !== undefined) el.textContent = text;
    return el;
  };

  function card(m, i) {
    const art = make("article", "card");
    art.dataset.index = String(i);
    const link = (child, extra) => {
      if (!m.p) return child;
      const a = make("a");
      a.href = m.p; // already a percent-encoded relative URL (page_url)
      if (extra) { // the strip's link too, for the mouse: one Tab stop and one name per card (the title's)
        a.tabIndex = -1;
        a.setAttribute("aria-hidden", "true");
      }
      a.append(child);
      return a;
    };
    const img = make("img", "strip");
    img.alt = "";
    img.loading = "lazy";
    img.decoding = "async";
    img.src = "data:image/webp;base64," + m.s;
    const bar = make("div", "bar");
    for (const [hex, share, permille] of m.pal) {
      const s = make("span");
      s.style.background = hex;
      s.style.flexGrow = String(share);
      s.title = hex + " " + spPercent(permille);
      bar.append(s);
    }
    const body = make("div", "body"), h2 = make("h2");
    h2.append(link(make("span", "title as-written", m.t)));
    body.append(h2, make("p", "info", m.dh + " · " + m.n + " samples"));
    const match = make("p", "info match");
    match.hidden = true;
    body.append(match);
    art.append(link(img, true), bar, body);
    return art;
  }

  const cards = movies.map(card);
  const keys = {
    name: null, duration: (m) => m.d, brightness: (m) => m.L, colorfulness: (m) => m.C, hue: (m) => m.h,
  };
  let sortKey = "name", descending = false, shares = null;
  const byName = (a, b) => collator.compare(movies[a].t, movies[b].t) || (movies[a].t < movies[b].t ? -1 : 1);

  function order() {
    const idx = movies.map((_, i) => i);
    if (shares) {
      idx.sort((a, b) => shares[b] - shares[a] || byName(a, b));
    } else {
      const key = keys[sortKey], sign = descending ? -1 : 1;
      idx.sort((a, b) => {
        if (!key) return sign * byName(a, b);
        const x = key(movies[a]), y = key(movies[b]);
        if (x === null || y === null) return x === y ? byName(a, b) : x === null ? 1 : -1; // no hue: last
        return sign * (x - y) || byName(a, b);
      });
    }
    grid.append(...idx.map((i) => cards[i]));
  }

  let binLab = null, bins = null;
  function prepare() {
    binLab = new Float64Array(BINS * 3);
    const half = (1 << shift) / 2 - 0.5, mask = (1 << D.bits) - 1;
    for (let k = 0; k < BINS; k++) {
      const lab = spLab(((k >> (2 * D.bits)) << shift) + half, (((k >> D.bits) & mask) << shift) + half,
        ((k & mask) << shift) + half);
      binLab.set(lab, 3 * k);
    }
    bins = movies.map((m) => {
      const raw = atob(m.b), used = [], bytes = BINS >> 3;
      for (let i = 0; i < bytes; i++) {
        const byte = raw.charCodeAt(i);
        for (let bit = 0; byte >> bit; bit++) if ((byte >> bit) & 1) used.push(8 * i + bit);
      }
      const pairs = new Uint16Array(2 * used.length);
      for (let j = 0; j < used.length; j++) {
        pairs[2 * j] = used[j];
        pairs[2 * j + 1] = raw.charCodeAt(bytes + 2 * j) | (raw.charCodeAt(bytes + 2 * j + 1) << 8);
      }
      return pairs;
    });
  }

  /** Each movie's share of time (0-1) within `limit` (CIEDE2000) of colour `hex`. */
  function search(hex, limit) {
    if (!binLab) prepare();
    const [L, A, B] = spLab(parseInt(hex.slice(1, 3), 16), parseInt(hex.slice(3, 5), 16), parseInt(hex.slice(5, 7), 16));
    const near = new Uint8Array(BINS);
    for (let k = 0; k < BINS; k++) {
      near[k] = spDeltaE2000(L, A, B, binLab[3 * k], binLab[3 * k + 1], binLab[3 * k + 2]) <= limit ? 1 : 0;
    }
    return bins.map((pairs) => {
      let sum = 0;
      for (let j = 0; j < pairs.length; j += 2) if (near[pairs[j]]) sum += pairs[j + 1];
      return sum / D.unit;
    });
  }

  function update() {
    $("threshold-value").textContent = threshold.value;
    if (shares) {
      const t0 = performance.now();
      shares = search(pick.value, Number(threshold.value));
      cards.forEach((c, i) => {
        const m = c.querySelector(".match");
        m.hidden = false;
        m.textContent = (shares[i] * 100).toFixed(1) + "% of its time near " + pick.value;
        c.classList.toggle("dim", shares[i] === 0);
      });
      status.textContent = "Ranked by the share of their time within ΔE00 " + threshold.value + " of " + pick.value
        + " (" + Math.round(performance.now() - t0) + " ms).";
    } else {
      cards.forEach((c) => { c.querySelector(".match").hidden = true; c.classList.remove("dim"); });
      status.textContent = "Sorted by " + $("sort").selectedOptions[0].textContent + (descending ? ", descending." : ".");
    }
    $("clear").disabled = !shares;
    order();
  }

  let pending = 0;
  const later = () => { cancelAnimationFrame(pending); pending = requestAnimationFrame(update); };
  pick.addEventListener("input", () => { shares = shares || []; later(); });
  threshold.addEventListener("input", () => { $("threshold-value").textContent = threshold.value; if (shares) later(); });
  $("clear").addEventListener("click", () => { shares = null; update(); });
  $("sort").addEventListener("change", (e) => { sortKey = e.target.value; shares = null; update(); });
  $("direction").addEventListener("click", (e) => {
    descending = !descending;
    e.target.textContent = descending ? "↓" : "↑";
    shares = null;
    update();
  });
  window.spSearch = search;
  update();
  document.documentElement.dataset.ready = "1";
  performance.mark("streamprint-ready");
})();
