"use strict";
/* streamprint: what the page of a movie and the gallery of a library share. */

let spToastTimer = 0;
function spToast(text) {
  const toast = document.getElementById("toast");
  if (!toast) return;
  toast.textContent = text;
  toast.classList.add("on");
  clearTimeout(spToastTimer);
  spToastTimer = setTimeout(() => toast.classList.remove("on"), 1400);
}

function spCopyFallback(text) {
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.appendChild(area);
  area.select();
  let ok = false;
  try { ok = document.execCommand("copy"); } catch (err) { ok = false; }
  area.remove();
  return ok;
}

/** Copy a hex code to the clipboard and say so. */
function spCopy(hex) {
  document.body.dataset.copied = hex;
  const done = () => spToast("copied " + hex);
  const fallback = () => spToast(spCopyFallback(hex) ? "copied " + hex : hex + " (select and copy it)");
  if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(hex).then(done, fallback);
  else fallback();
}

document.addEventListener("click", (event) => {
  const button = event.target.closest && event.target.closest("button[data-hex]");
  if (button) spCopy(button.dataset.hex);
});

/** A share in tenths of a percent (streamprint.render.html.permille) as "12.3%". */
const spPercent = (permille) => (permille / 10).toFixed(1) + "%";

/** A list item that shows a colour, its hex code and its share (tenths of a percent), and
 * copies the hex code. */
function spSwatch(hex, share) {
  const li = document.createElement("li"), button = document.createElement("button");
  const chip = document.createElement("span"), code = document.createElement("code");
  li.className = "swatch";
  button.type = "button";
  button.dataset.hex = hex;
  button.title = "copy " + hex;
  chip.className = "chip";
  chip.style.background = hex;
  code.className = "hex";
  code.textContent = hex;
  button.append(chip, code);
  if (share !== undefined) {
    const s = document.createElement("span");
    s.className = "share";
    s.textContent = spPercent(share);
    button.append(s);
  }
  li.append(button);
  return li;
}
