/* Backprop Playground live view: charts built once per page visit, then updated in place.
 *
 * render(component) is called by a Streamlit v2 component on mount and on every rerun. The first
 * call builds the view inside component.parentElement and keeps it; later calls only feed it data.
 * The server sends numbers, never figures (docs/live-view.md has the payload); charts are drawn on
 * <canvas> and frames are played back at display rate. No libraries, no network access.
 */

const BLUE = "#2166ac", RED = "#b2182b", HIGHLIGHT = "#e66101";
const TEXT = "#1f2430", MUTED = "#4a5163", GRID = "#e3e8f0", PRIMARY = "#c0392b";
const VIRIDIS = ["#440154", "#482878", "#3e4989", "#31688e", "#26828e", "#1f9e89", "#35b779", "#6ece58",
  "#b5de2b", "#fde725"];
const FONT = 15; // tick labels, read from the back of a classroom; titles are 18 px (CSS)
const EMPTY_TEXT = "No training yet: press Step or Run", DIVERGED_TEXT = "Diverged: no finite values to draw";
const MAX_LAG = 500; // ms: playback never trails the newest frame by more than this
const TICK_GAP = 100, TICK_TIMEOUT = 2000; // ms between payload requests; a lost request is retried after
const LOG_CAP = 64; // unacknowledged actions kept
const RUN_EFFECT = {run: true, continue: true, run_to: true, pause: false};

// -- numbers -------------------------------------------------------------------------

const trimZeros = (s) => (s.includes(".") ? s.replace(/\.?0+$/, "") : s);
const commas = (digits) => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
const minus = (s) => s.replace(/^-/, "\u2212");
const finite = (v) => typeof v === "number" && Number.isFinite(v);
const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));

/** p significant digits, trailing zeros dropped (d3's "~g"); "-0" reads as "0". */
function fmtG(v, p = 6) {
  if (v == null || Number.isNaN(v)) return "–";
  if (!Number.isFinite(v)) return v > 0 ? "∞" : "-∞";
  if (v === 0) return "0";
  const [m, e] = v.toPrecision(p).split("e");
  return e === undefined ? trimZeros(m) : `${trimZeros(m)}e${e}`;
}

/** Axis labels: whole numbers of 1,000 and more with commas, others like fmtG, a true minus sign. */
function fmtTick(v) {
  if (Math.abs(v) >= 1000 && Math.abs(v) < 1e15 && Math.abs(v - Math.round(v)) < 1e-6) {
    return minus((v < 0 ? "-" : "") + commas(String(Math.abs(Math.round(v)))));
  }
  return minus(fmtG(v, 6));
}

/** Python's f"{v:.{d}f}": the exact binary value rounded, ties to even (toFixed breaks ties away from 0). */
function pyFixed(v, d) {
  if (typeof v !== "number") return v == null ? "" : String(v);
  if (!Number.isFinite(v)) return Number.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
  const s = v.toFixed(d), more = Math.abs(v).toFixed(Math.min(100, d + 30));
  const dot = more.indexOf(".");
  if (dot < 0 || !/^50*$/.test(more.slice(dot + 1 + d))) return s;
  const down = more.slice(0, dot + 1 + d).replace(/\.$/, "");
  return +down.slice(-1) % 2 === 0 ? (v < 0 ? "-" : "") + down : s;
}

/** Python's f"{v:g}" (6 significant digits, exponent below 1e-4 and from 1e6 on). */
function pyG(v) {
  if (typeof v !== "number") return v == null ? "" : String(v);
  if (!Number.isFinite(v)) return Number.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
  if (v === 0) return "0";
  const [m, e] = v.toExponential(5).split("e"), x = +e;
  if (x < -4 || x >= 6) return `${trimZeros(m)}e${x < 0 ? "-" : "+"}${String(Math.abs(x)).padStart(2, "0")}`;
  return trimZeros(v.toFixed(5 - x));
}

const FORMATS = {fixed8: (v) => pyFixed(v, 8), g: pyG};

// -- scales and ticks ------------------------------------------------------------------

function niceStep(span, n) {
  const raw = span / Math.max(1, n), p = 10 ** Math.floor(Math.log10(raw)), f = raw / p;
  return (f >= 7.07 ? 10 : f >= 3.16 ? 5 : f >= 1.41 ? 2 : 1) * p; // the 1-2-5 step whose count is nearest n
}

function linTicks(lo, hi, step) {
  const out = [];
  const first = Math.ceil(lo / step - 1e-9), last = Math.floor(hi / step + 1e-9);
  for (let i = first; i <= last; i++) out.push(+(i * step).toPrecision(12));
  return out;
}

const pow10 = (k) => Number(`1e${k}`);
const near = (a, b) => Math.abs(a - b) <= 1e-9 * Math.abs(b);

/** Largest (dir -1) or smallest (dir 1) of 1, 2, 5 x 10^k on the other side of v: stable log ranges. */
function round125(v, dir) {
  const k = Math.floor(Math.log10(v));
  const steps = [1, 2, 5, 10].map((m) => m * pow10(k));
  if (dir < 0) return steps.filter((s) => s <= v * (1 + 1e-9)).pop();
  return steps.find((s) => s >= v * (1 - 1e-9));
}

/** Log ticks: decades (at most ~maxLabels, 1, 0.1, 0.01 ...); 1-2-5 inside a short range; else linear. */
function logTicks(lo, hi, maxLabels = 6) {
  const inside = (v) => v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9);
  const a = Math.floor(Math.log10(lo)), b = Math.ceil(Math.log10(hi));
  const decades = [];
  for (let k = a; k <= b; k++) if (inside(pow10(k))) decades.push(k);
  if (decades.length >= 3) {
    const every = Math.ceil(decades.length / maxLabels);
    return decades.filter((k) => k % every === 0).map(pow10);
  }
  let ticks = [];
  for (let k = a; k <= b; k++) {
    for (const m of [1, 2, 5]) if (inside(m * pow10(k))) ticks.push(+(m * pow10(k)).toPrecision(12));
  }
  if (ticks.length > maxLabels) ticks = ticks.filter((t) => !near(t / pow10(Math.floor(Math.log10(t) + 1e-9)), 2));
  return ticks.length >= 2 ? ticks : linTicks(lo, hi, niceStep(hi - lo, 4)).filter((t) => t > 0);
}

/** A range [lo, hi] widened to nice bounds when `nice`, with its ticks, for about n ticks. */
function ticksFor(lo, hi, log, n, nice = true) {
  if (!finite(lo) || !finite(hi)) [lo, hi] = log ? [0.1, 1] : [0, 1];
  if (!(hi > lo)) [lo, hi] = log ? [lo / 2, hi * 2] : [lo - (Math.abs(lo) * 0.1 || 1), hi + (Math.abs(hi) * 0.1 || 1)];
  if (log) {
    if (nice) [lo, hi] = [round125(lo, -1), round125(hi, 1)];
    return {lo, hi, ticks: logTicks(lo, hi)};
  }
  const step = niceStep(hi - lo, n);
  if (nice) [lo, hi] = [Math.floor(lo / step + 1e-9) * step, Math.ceil(hi / step - 1e-9) * step];
  return {lo, hi, ticks: linTicks(lo, hi, step)};
}

function scale(lo, hi, a, b, log) {
  const f = log ? Math.log10 : (v) => v, l = f(lo), k = (b - a) / (f(hi) - l || 1);
  return {lo, hi, log, px: (v) => a + (f(v) - l) * k, inv: (p) => (log ? 10 ** (l + (p - a) / k) : l + (p - a) / k)};
}

// -- colour ------------------------------------------------------------------------------

const rgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));

/** 256 RGB entries interpolated linearly between equally spaced stops. */
function ramp(stops) {
  const c = stops.map(rgb), out = new Uint8ClampedArray(256 * 3);
  for (let i = 0; i < 256; i++) {
    const t = (i / 255) * (c.length - 1), j = Math.min(c.length - 2, Math.floor(t)), f = t - j;
    for (let k = 0; k < 3; k++) out[i * 3 + k] = Math.round(c[j][k] + (c[j + 1][k] - c[j][k]) * f);
  }
  return out;
}

const DIVERGING = ramp([BLUE, "#ffffff", RED]), VIRIDIS_LUT = ramp(VIRIDIS);
/** The colour at t in [0, 1] of a ramp (the middle for a missing value). */
function lut(table, t) {
  const i = Math.round(clamp(finite(t) ? t : 0.5, 0, 1) * 255) * 3;
  return [table[i], table[i + 1], table[i + 2]];
}

const css = (c, a = 1) => `rgba(${c[0]},${c[1]},${c[2]},${a})`;
const dark = (c) => 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2] < 140;
/** Largest |v| over finite values, never 0, so a symmetric scale always has a width. */
const absMax = (values) => values.reduce((m, v) => (finite(v) ? Math.max(m, Math.abs(v)) : m), 1e-12);

// -- canvas helpers ----------------------------------------------------------------------------

const setFont = (v, ctx, size = FONT, weight = "") => { ctx.font = `${weight} ${size}px ${v.font}`; };
const widest = (ctx, texts) => texts.reduce((m, t) => Math.max(m, ctx.measureText(String(t)).width), 0);

/** text cut with an ellipsis to at most max px wide. */
function fit(ctx, text, max) {
  text = String(text);
  if (ctx.measureText(text).width <= max) return text;
  let lo = 0, hi = text.length;
  while (lo < hi) {
    const m = (lo + hi + 1) >> 1;
    if (ctx.measureText(text.slice(0, m) + "…").width <= max) lo = m; else hi = m - 1;
  }
  return lo ? text.slice(0, lo) + "…" : "";
}

function label(ctx, text, x, y, align = "left", base = "middle", color = MUTED) {
  ctx.fillStyle = color; ctx.textAlign = align; ctx.textBaseline = base; ctx.fillText(text, x, y);
}

/** Text turned a quarter to the left (an axis title, a column label), anchored at (x, y). */
function upright(ctx, text, x, y, align, base, color) {
  ctx.save(); ctx.translate(x, y); ctx.rotate(-Math.PI / 2);
  label(ctx, text, 0, 0, align, base, color); ctx.restore();
}

/** Stroke whatever trace() draws, in one colour, width and dash pattern. */
function stroke(ctx, color, width, trace, dash = null, alpha = 1) {
  ctx.strokeStyle = color; ctx.lineWidth = width; ctx.setLineDash(dash || []); ctx.globalAlpha = alpha;
  ctx.beginPath(); trace(); ctx.stroke();
  ctx.setLineDash([]); ctx.globalAlpha = 1;
}

const vrule = (ctx, x, y0, y1) => stroke(ctx, "#6b7280", 1, () => { ctx.moveTo(x, y0); ctx.lineTo(x, y1); });
const clip = (ctx, x, y, w, h) => { ctx.save(); ctx.beginPath(); ctx.rect(x, y, w, h); ctx.clip(); };
const inside = (m, b) => m && m.x >= b.x && m.x <= b.x + b.w && m.y >= b.y && m.y <= b.y + b.h;

/**
 * Lines through (xs[i], ys[i]) for i < n, broken at gaps (null, NaN, <= 0 on a log axis). o.xp: the
 * xs already in px (shared by many lines). With o.tol > 0 a point within tol px of the chord joining
 * its drawn neighbours is skipped: hundreds of thin lines cost in proportion to their points, and a
 * smooth error curve needs few.
 */
function polyline(ctx, xs, ys, n, sx, sy, o = {}) {
  const tol = o.tol || 0, xp = o.xp, log = sy.log;
  let pen = false, held = false, lx = 0, ly = 0, qx = 0, qy = 0;
  for (let i = 0; i < n; i++) {
    const y = ys[i];
    if (typeof y !== "number" || y - y !== 0 || (log && y <= 0)) { // gap; y - y is NaN for NaN and infinities
      if (held) ctx.lineTo(qx, qy);
      pen = held = false;
      continue;
    }
    const X = xp ? xp[i] : sx.px(xs[i]), Y = sy.px(y);
    if (!pen) { ctx.moveTo(X, Y); lx = X; ly = Y; pen = true; continue; }
    if (!tol) { ctx.lineTo(X, Y); continue; }
    if (held) {
      const dx = X - lx, dy = Y - ly, off = Math.abs(dy * (qx - lx) - dx * (qy - ly)) / (Math.hypot(dx, dy) || 1);
      if (off > tol || dx > 16) { ctx.lineTo(qx, qy); lx = qx; ly = qy; }
    }
    qx = X; qy = Y; held = true;
  }
  if (held) ctx.lineTo(qx, qy);
  const t = o.tail;
  if (t && pen && finite(t[1]) && (!log || t[1] > 0)) ctx.lineTo(sx.px(t[0]), sy.px(t[1]));
}

/** Smallest and largest finite value (> 0 on a log axis) over arrays of values, as [lo, hi]. */
function extent(arrays, log, n = Infinity) {
  let lo = Infinity, hi = -Infinity;
  for (const ys of arrays) {
    for (let i = 0, m = Math.min(n, ys.length); i < m; i++) {
      const y = ys[i];
      if (typeof y !== "number" || y - y !== 0 || (log && y <= 0)) continue;
      if (y < lo) lo = y;
      if (y > hi) hi = y;
    }
  }
  return [lo, hi];
}

function dot(ctx, x, y, r, fill, edge = "#ffffff", lw = 1) {
  ctx.beginPath(); ctx.arc(x, y, r, 0, 2 * Math.PI); ctx.fillStyle = fill; ctx.fill();
  if (edge) { ctx.strokeStyle = edge; ctx.lineWidth = lw; ctx.stroke(); }
}

function centredText(v, ctx, box, text) {
  setFont(v, ctx, FONT + 2);
  label(ctx, fit(ctx, text, box.w - 8), box.x + box.w / 2, box.y + box.h / 2, "center", "middle", "#555555");
}

/**
 * The plot box of an x-y chart with its scales and ticks. Margins are measured from the tick labels
 * actually drawn, so long labels never run into the axis titles. o: {x, y: [lo, hi], xlog, ylog,
 * xTitle, yTitle, xNice, yNice, noY, equal, top, right, left}.
 */
function plotArea(v, ctx, w, h, o) {
  setFont(v, ctx);
  const top = o.top ?? 12, right = o.right ?? 16;
  const bottom = 10 + FONT + (o.xTitle ? FONT + 14 : 4);
  const box = {x: 0, y: top, w: 0, h: Math.max(20, h - top - bottom)};
  const yr = o.noY ? {lo: o.y[0], hi: o.y[1], ticks: []}
    : ticksFor(o.y[0], o.y[1], o.ylog, Math.max(2, Math.floor(box.h / 55)), o.yNice !== false);
  box.x = o.noY ? (o.left ?? 16) : 12 + widest(ctx, yr.ticks.map(fmtTick)) + (o.yTitle ? FONT + 14 : 0);
  box.w = Math.max(20, w - box.x - right);
  if (o.equal) { // one unit the same length on both axes: shrink one side, keep the top left corner
    const ux = (o.x[1] - o.x[0]) / box.w, uy = (yr.hi - yr.lo) / box.h;
    if (ux > uy) box.h = (yr.hi - yr.lo) / ux; else box.w = (o.x[1] - o.x[0]) / uy;
  }
  let xr;
  for (let n = Math.max(2, Math.floor(box.w / 90)); ; n = Math.max(1, n - 1)) { // fewer ticks until labels fit
    xr = ticksFor(o.x[0], o.x[1], o.xlog, n, o.xNice !== false);
    const widths = widest(ctx, xr.ticks.map(fmtTick)) + 18;
    if (o.xlog || n <= 2 || widths * xr.ticks.length <= box.w) break;
  }
  return {box, o, xt: xr.ticks, yt: yr.ticks, sx: scale(xr.lo, xr.hi, box.x, box.x + box.w, o.xlog),
    sy: scale(yr.lo, yr.hi, box.y + box.h, box.y, o.ylog)};
}

function drawAxes(v, ctx, P) {
  const {box, sx, sy, o} = P;
  const bottom = box.y + box.h;
  stroke(ctx, GRID, 1, () => {
    for (const t of P.yt) { const y = Math.round(sy.px(t)) + 0.5; ctx.moveTo(box.x, y); ctx.lineTo(box.x + box.w, y); }
    for (const t of P.xt) { const x = Math.round(sx.px(t)) + 0.5; ctx.moveTo(x, box.y); ctx.lineTo(x, bottom); }
  });
  ctx.strokeStyle = "#b9c0cc";
  ctx.strokeRect(Math.round(box.x) + 0.5, Math.round(box.y) + 0.5, Math.round(box.w), Math.round(box.h));
  setFont(v, ctx);
  for (const t of P.yt) label(ctx, fmtTick(t), box.x - 8, sy.px(t), "right");
  let last = -Infinity; // skip an x label that would touch the previous one
  for (const t of P.xt) {
    const s = fmtTick(t), half = ctx.measureText(s).width / 2;
    const x = clamp(sx.px(t), half + 2, ctx.canvas.clientWidth - half - 2);
    if (x - half < last + 8) continue;
    label(ctx, s, x, bottom + 8, "center", "top");
    last = x + half;
  }
  const xTitle = fit(ctx, o.xTitle || "", box.w + box.x);
  if (xTitle) label(ctx, xTitle, box.x + box.w / 2, bottom + 14 + FONT, "center", "top", TEXT);
  if (o.yTitle) upright(ctx, fit(ctx, o.yTitle, box.h + box.y), 6, box.y + box.h / 2, "center", "top", TEXT);
}

/** A legend in a corner inside the box: items {label, color, dash, mark: "line"|"dot"|"diamond", width}. */
function legend(v, ctx, box, items, corner = "right", backing = true) {
  if (!items.length) return;
  setFont(v, ctx, FONT - 1);
  const max = Math.max(40, box.w * 0.6 - 40), texts = items.map((it) => fit(ctx, it.label, max));
  const lw = 36 + widest(ctx, texts), lh = 21, bh = items.length * lh + 8;
  const x = corner === "right" ? box.x + box.w - lw - 6 : box.x + 6, y = box.y + 6;
  if (backing) { ctx.fillStyle = "rgba(255,255,255,0.85)"; ctx.fillRect(x, y, lw, bh); }
  items.forEach((it, i) => {
    const cy = y + 4 + lh * i + lh / 2;
    if (it.mark === "dot") dot(ctx, x + 16, cy, 5, it.color);
    else if (it.mark === "diamond") diamond(ctx, x + 16, cy, 7, it.color);
    else stroke(ctx, it.color, Math.min(it.width || 2.5, 4), () => { ctx.moveTo(x + 5, cy); ctx.lineTo(x + 27, cy); },
      it.dash ? [6, 4] : null);
    label(ctx, texts[i], x + 32, cy, "left", "middle", TEXT);
  });
}

/** The same items in rows above a plot, from x, wrapping at width; returns the height used. */
function legendRow(v, ctx, items, x, y, width, draw = true) {
  setFont(v, ctx, FONT - 1);
  let cx = x, cy = y + 10;
  for (const it of items) {
    const text = fit(ctx, it.label, width - 40), iw = 32 + ctx.measureText(text).width + 18;
    if (cx > x && cx + iw > x + width) { cx = x; cy += 21; }
    if (draw) legend(v, ctx, {x: cx - 6, y: cy - 16, w: 1e4}, [{...it, label: text}], "left", false);
    cx += iw;
  }
  return items.length ? cy - y + 14 : 0;
}

function diamond(ctx, x, y, r, fill) {
  ctx.beginPath(); ctx.moveTo(x, y - r); ctx.lineTo(x + r, y); ctx.lineTo(x, y + r); ctx.lineTo(x - r, y);
  ctx.closePath();
  ctx.fillStyle = fill; ctx.fill(); ctx.strokeStyle = "#000000"; ctx.lineWidth = 1.5; ctx.stroke();
}

/** A vertical colour bar right of a plot with 5 ticks; returns nothing, draws into [x, x + 14]. */
function colorbar(v, ctx, x, y, hgt, table, lo, hi, ticks, title) {
  const g = ctx.createLinearGradient(0, y + hgt, 0, y);
  for (let i = 0; i <= 10; i++) g.addColorStop(i / 10, css(lut(table, i / 10)));
  ctx.fillStyle = g; ctx.fillRect(x, y, 14, hgt);
  ctx.strokeStyle = "#9aa1ad"; ctx.lineWidth = 1; ctx.strokeRect(x + 0.5, y + 0.5, 13, hgt - 1);
  setFont(v, ctx);
  for (const t of ticks) label(ctx, minus(fmtG(t, 3)), x + 20, y + hgt - ((t - lo) / (hi - lo || 1)) * hgt, "left");
  if (title) label(ctx, fit(ctx, title, ctx.canvas.clientWidth - x + 4), x - 4, y - 12, "left", "bottom", TEXT);
}

/** Room (px) a colour bar and its tick labels take right of a plot. */
function colorbarWidth(v, ctx, ticks) {
  setFont(v, ctx);
  return 12 + 14 + 8 + widest(ctx, ticks.map((t) => minus(fmtG(t, 3)))) + 6;
}


/** Index of the first x > v in ascending xs (binary search). */
function upper(xs, v) {
  let lo = 0, hi = xs.length;
  while (lo < hi) { const m = (lo + hi) >> 1; if (xs[m] <= v) lo = m + 1; else hi = m; }
  return lo;
}

function nearestIndex(xs, n, v) {
  const i = Math.min(upper(xs, v), n);
  if (i === 0) return 0;
  return i < n && xs[i] - v < v - xs[i - 1] ? i : i - 1;
}

// -- chart kinds: one drawing function each; hover text goes into c.tip -------------------------

function drawCurve(v, c, ctx, w, h) {
  const s = c.spec, hist = c.hist || {}, xs = hist.x || [], all = hist.series || [], series = s.series || [];
  const reveal = c.reveal ?? Infinity, n = upper(xs, reveal);
  const ok = (y) => finite(y) && (!s.log_y || y > 0);
  // The growing end: interpolated between the last revealed point and the next, so motion is smooth.
  const f = n > 0 && n < xs.length && reveal > xs[n - 1] ? (reveal - xs[n - 1]) / (xs[n] - xs[n - 1]) : null;
  const tails = all.map((ys) => (f !== null && ok(ys[n - 1]) && ok(ys[n])
    ? [reveal, ys[n - 1] + (ys[n] - ys[n - 1]) * f] : null));
  let [lo, hi] = extent(all, s.log_y, n);
  for (const t of tails) if (t) { lo = Math.min(lo, t[1]); hi = Math.max(hi, t[1]); }
  const empty = n === 0 || lo > hi, end = Math.max(10, Number.isFinite(reveal) ? reveal : xs[xs.length - 1] || 10);
  const P = plotArea(v, ctx, w, h, {x: [1, end], xNice: false, y: empty ? (s.log_y ? [0.1, 1] : [0, 1]) : [lo, hi],
    ylog: s.log_y, xTitle: s.x_title, yTitle: s.y_title});
  drawAxes(v, ctx, P);
  if (empty) return centredText(v, ctx, P.box, n === 0 ? EMPTY_TEXT : DIVERGED_TEXT);
  const {box, sx, sy} = P;
  clip(ctx, box.x, box.y - 6, box.w + 6, box.h + 12);
  ctx.lineJoin = "round";
  series.forEach((se, k) => {
    const ys = all[k] || [];
    const trace = () => polyline(ctx, xs, ys, n, sx, sy, {tail: tails[k]});
    stroke(ctx, se.color, k === 0 ? 2.5 : 2, trace, se.dash ? [7, 5] : null);
    let i = n - 1;
    while (i >= 0 && !ok(ys[i])) i--;
    const head = tails[k] || (i >= 0 ? [xs[i], ys[i]] : null); // a marker on the newest point: one step shows too
    if (head) dot(ctx, sx.px(head[0]), sy.px(head[1]), 4, se.color, "#ffffff", 1);
  });
  ctx.restore();
  if (series.length > 1) legend(v, ctx, box, series.map((se) => ({label: se.name, color: se.color, dash: se.dash})));
  if (c.mouse && c.mouse.x >= box.x && c.mouse.x <= box.x + box.w) {
    const i = nearestIndex(xs, n, sx.inv(c.mouse.x));
    vrule(ctx, Math.round(sx.px(xs[i])) + 0.5, box.y, box.y + box.h);
    c.tip = series.map((se, k) => `step ${fmtTick(xs[i])}: ${se.name} ${fmtG((all[k] || [])[i], 5)}`).join("\n");
  }
}

function drawHeatmap(v, c, ctx, w, h) {
  const s = c.spec, rows = s.rows || [], cols = s.cols || [], R = rows.length, C = cols.length, z = c.data?.z;
  if (!R || !C) return;
  const L = absMax(z || []), bar = [-L, -L / 2, 0, L / 2, L];
  setFont(v, ctx);
  const rowW = Math.min(widest(ctx, rows), w * 0.3), colW = widest(ctx, cols);
  const left = 8 + (s.y_title ? FONT + 12 : 0) + rowW + 8, right = colorbarWidth(v, ctx, bar);
  const cw = Math.max(1, (w - left - right) / C);
  const rotate = colW + 8 > cw, colH = rotate ? Math.min(colW, 96) : FONT; // column labels turned when too wide
  const top = 36, gh = Math.max(R, h - top - (14 + colH + (s.x_title ? FONT + 14 : 4))), ch = gh / R;
  const box = {x: left, y: top, w: cw * C, h: gh}, bottom = top + gh;
  const cells = z ? z.map((val) => (finite(val) ? lut(DIVERGING, 0.5 + val / (2 * L)) : [189, 189, 189])) : [];
  for (let k = 0; k < R * C; k++) { // 1 px gaps between cells, as before
    ctx.fillStyle = z ? css(cells[k]) : "#f3f5f8";
    ctx.fillRect(box.x + (k % C) * cw + 0.5, box.y + Math.floor(k / C) * ch + 0.5, cw - 1, ch - 1);
  }
  // Numbers only at a readable size: the largest of 15/14/13 px at which a typical value fits a cell.
  let size = 0, shown = 0;
  for (const fs of [FONT, 14, 13]) {
    setFont(v, ctx, fs);
    if (ctx.measureText("\u22120.123").width + 6 <= cw && fs + 4 <= ch) { size = fs; break; }
  }
  if (z && size) {
    setFont(v, ctx, size);
    for (let k = 0; k < R * C; k++) {
      const t = minus(fmtG(z[k], 3));
      if (ctx.measureText(t).width + 4 > cw) continue;
      const x = box.x + (k % C + 0.5) * cw, y = box.y + (Math.floor(k / C) + 0.5) * ch;
      label(ctx, t, x, y, "center", "middle", dark(cells[k]) ? "#ffffff" : TEXT);
      shown++;
    }
  }
  setFont(v, ctx);
  const rowEvery = Math.ceil((FONT + 2) / ch), colEvery = Math.ceil((FONT + 4) / cw); // labels never overlap
  rows.forEach((r, i) => {
    if (i % rowEvery === 0) label(ctx, fit(ctx, r, rowW), box.x - 8, box.y + (i + 0.5) * ch, "right");
  });
  cols.forEach((t, j) => {
    const x = box.x + (j + 0.5) * cw;
    if (!rotate) label(ctx, fit(ctx, t, cw - 4), x, bottom + 8, "center", "top");
    else if (j % colEvery === 0) upright(ctx, fit(ctx, t, colH), x, bottom + 8, "right", "middle", MUTED);
  });
  if (s.x_title) label(ctx, fit(ctx, s.x_title, w - 8), box.x + box.w / 2, bottom + 14 + colH, "center", "top", TEXT);
  if (s.y_title) upright(ctx, fit(ctx, s.y_title, h - 8), 6, box.y + box.h / 2, "center", "top", TEXT);
  if (z) colorbar(v, ctx, box.x + box.w + 12, box.y, box.h, DIVERGING, -L, L, bar, s.colorbar || "weight");
  c.el.liveGeom = {box, rows: R, cols: C, cellText: shown, fontSize: size}; // for tests: where the cells are
  if (z && inside(c.mouse, box)) {
    const i = Math.min(R - 1, Math.floor((c.mouse.y - box.y) / ch));
    const j = Math.min(C - 1, Math.floor((c.mouse.x - box.x) / cw));
    c.tip = `from ${rows[i]} to ${cols[j]}: ${fmtG(z[i * C + j], 4)}` + (s.editable != null ? "\nclick to type a new value" : "");
  }
}

function drawNetwork(v, c, ctx, w, h) {
  const s = c.spec, layers = s.layers || [], names = s.layer_names || [], N = layers.length;
  if (N < 2) return;
  const W = c.data?.weights || [], B = c.data?.biases, m = c.mouse;
  setFont(v, ctx);
  const inW = Math.min(widest(ctx, layers[0]), w * 0.22), outW = Math.min(widest(ctx, layers[N - 1]), w * 0.22);
  const left = 28 + inW, top = 34, bh = h - top - 14, gap = (w - left - 28 - outW) / (N - 1);
  const unit = Math.min(bh / Math.max(...layers.map((l) => l.length)), 72);
  const r = clamp(Math.min(unit, gap) * 0.28, 4, 12), every = Math.ceil((FONT + 2) / unit);
  const pos = (l, j) => [left + l * gap, top + bh / 2 - ((layers[l].length - 1) / 2 - j) * unit];
  // Dense layers (16 x 16 links) would be a solid mat at full width and opacity: thinner and fainter.
  const thickest = Math.min(8, Math.max(2, unit / 3.5));
  const fade = clamp(Math.sqrt(48 / Math.max(1, ...W.map((M) => M.length))), 0.4, 1);
  // Links grouped by (width step, colour), weak ones first so strong ones lie on top: ~20 strokes in all.
  const largest = absMax(W.flat()), groups = new Map(), mids = [];
  W.forEach((M, l) => M.forEach((val, k) => {
    const a = Math.floor(k / layers[l + 1].length), b = k % layers[l + 1].length;
    const step = finite(val) ? Math.round(clamp(Math.abs(val) / largest, 0, 1) * 7) : 0;
    const key = step * 3 + (!finite(val) || val === 0 ? 2 : val < 0 ? 0 : 1);
    const [x0, y0] = pos(l, a), [x1, y1] = pos(l + 1, b);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(x0, y0, x1, y1);
    mids.push([(x0 + x1) / 2, (y0 + y1) / 2, l, a, b, val]);
  }));
  for (const key of [...groups.keys()].sort((a, b) => a - b)) {
    const f = Math.floor(key / 3) / 7, seg = groups.get(key);
    stroke(ctx, [BLUE, RED, "#9e9e9e"][key % 3], 0.5 + (thickest - 0.5) * f, () => {
      for (let i = 0; i < seg.length; i += 4) { ctx.moveTo(seg[i], seg[i + 1]); ctx.lineTo(seg[i + 2], seg[i + 3]); }
    }, null, (0.35 + 0.65 * f) * fade);
  }
  const bl = B ? absMax(B.flat()) : 1;
  let hit = null;
  layers.forEach((labels, l) => {
    const [x] = pos(l, 0);
    setFont(v, ctx, FONT, "600");
    const room = l === 0 ? Math.max(gap, 2 * (x - 4)) : l === N - 1 ? Math.max(gap, 2 * (w - x - 4)) : gap - 8;
    label(ctx, fit(ctx, names[l] ?? "", Math.min(room, gap * 1.6)), clamp(x, 30, w - 30), 16, "center", "middle", TEXT);
    setFont(v, ctx);
    labels.forEach((name, j) => {
      const [, y] = pos(l, j), b = B && l > 0 ? B[l - 1]?.[j] : null;
      dot(ctx, x, y, r, b == null ? "#ffffff" : css(lut(DIVERGING, 0.5 + b / (2 * bl))), "#333333", 1.5);
      if (j % every === 0 && l === 0) label(ctx, fit(ctx, name, inW), x - r - 8, y, "right", "middle", TEXT);
      if (j % every === 0 && l === N - 1) label(ctx, fit(ctx, name, outW), x + r + 8, y, "left", "middle", TEXT);
      if (m && Math.hypot(m.x - x, m.y - y) <= r + 5) {
        hit = `${names[l] ?? ""}: ${name}` + (b == null ? "" : `\nbias ${fmtG(b, 4)}`);
      }
    });
  });
  if (!hit && m) { // the nearest link's middle
    let best = 9;
    for (const p of mids) {
      const d = Math.hypot(p[0] - m.x, p[1] - m.y);
      if (d < best) { best = d; hit = `from ${layers[p[2]][p[3]]} to ${layers[p[2] + 1][p[4]]}: ${fmtG(p[5], 4)}`; }
    }
  }
  c.tip = hit;
}

/** The hover text of the nearest of many marks, within 10 px of the pointer. */
function nearest(c) {
  let best = 10, text = null;
  return {
    at(x, y, make) {
      const d = c.mouse ? Math.hypot(c.mouse.x - x, c.mouse.y - y) : Infinity;
      if (d < best) [best, text] = [d, make()];
    },
    get text() { return text; },
  };
}

function drawSCurve(v, c, ctx, w, h) {
  const s = c.spec, d = c.data || {}, lay = s.layers || [], curves = d.curves || [], points = d.points || [];
  const [lo, hi] = extent([...curves.flatMap((k) => [k.a, k.slope]), ...points.map((p) => p.a)], false);
  const P = plotArea(v, ctx, w, h, {x: d.x_range || [-6, 6], xNice: false, y: lo <= hi ? [lo, hi] : [0, 1],
    xTitle: s.x_title, yTitle: s.y_title});
  drawAxes(v, ctx, P);
  const {box, sx, sy} = P, near = nearest(c);
  clip(ctx, box.x, box.y - 8, box.w, box.h + 16);
  for (const k of curves) {
    const color = lay[k.layer]?.color || TEXT;
    stroke(ctx, color, 3, () => polyline(ctx, k.z, k.a, k.z.length, sx, sy));
    stroke(ctx, color, 2, () => polyline(ctx, k.z, k.slope, k.z.length, sx, sy), [7, 5], 0.6);
  }
  for (const p of points) {
    const color = lay[p.layer]?.color || TEXT;
    ctx.globalAlpha = 0.85;
    p.z.forEach((zv, i) => {
      if (!finite(zv) || !finite(p.a[i])) return;
      const X = sx.px(zv), Y = sy.px(p.a[i]);
      dot(ctx, X, Y, 5, color, "#ffffff", 1);
      near.at(X, Y, () => `${lay[p.layer]?.name ?? ""}, ${p.labels?.[i] ?? ""}: `
        + `z=${fmtG(zv, 4)}, a=${fmtG(p.a[i], 4)}`);
    });
    ctx.globalAlpha = 1;
  }
  ctx.restore();
  legend(v, ctx, box, [...lay.map((l) => ({label: l.name, color: l.color, mark: "dot"})),
    {label: "a = f(z)", color: MUTED}, {label: "slope f'(z)", color: MUTED, dash: true}], "left");
  c.tip = near.text;
}

function drawMap(v, c, ctx, w, h) {
  const s = c.spec, gx = s.x || [], gy = s.y || [], nx = gx.length, ny = gy.length, d = c.data || {};
  if (!nx || !ny) return;
  let [lo, hi] = d.value_range || s.value_range || [0, 1];
  if (!(hi > lo)) [lo, hi] = [lo - 0.5, hi + 0.5];
  const cut = finite(s.threshold) ? s.threshold : null; // discretised: the two ends of the scale, split at cut
  const colour = (val) => lut(VIRIDIS_LUT, cut === null ? (val - lo) / (hi - lo) : val >= cut ? 1 : 0);
  // Grid values are cell centres: the image reaches half a cell beyond the first and last.
  const dx = nx > 1 ? (gx[nx - 1] - gx[0]) / (nx - 1) : 1, dy = ny > 1 ? (gy[ny - 1] - gy[0]) / (ny - 1) : 1;
  const x0 = Math.min(gx[0], gx[nx - 1]) - Math.abs(dx) / 2, x1 = Math.max(gx[0], gx[nx - 1]) + Math.abs(dx) / 2;
  const y0 = Math.min(gy[0], gy[ny - 1]) - Math.abs(dy) / 2, y1 = Math.max(gy[0], gy[ny - 1]) + Math.abs(dy) / 2;
  const pts = s.points || {}, px = pts.x || [], py = pts.y || [], vals = pts.value || [], test = pts.test || [];
  const few = px.length <= 60; // a handful of rows: big markers; hundreds: small ones, so the map shows between them
  const bar = ticksFor(lo, hi, false, 5, false).ticks;
  const P = plotArea(v, ctx, w, h, {x: [Math.min(x0, ...px.filter(finite)), Math.max(x1, ...px.filter(finite))],
    y: [Math.min(y0, ...py.filter(finite)), Math.max(y1, ...py.filter(finite))], xNice: false, yNice: false,
    equal: s.equal_axes, top: 36, right: colorbarWidth(v, ctx, bar), xTitle: s.x_title, yTitle: s.y_title});
  const {box, sx, sy} = P, near = nearest(c);
  drawAxes(v, ctx, P);
  if (d.z) { // one image pixel per grid point, stretched with bilinear smoothing
    if (c.img?.width !== nx || c.img.height !== ny) {
      c.img = Object.assign(document.createElement("canvas"), {width: nx, height: ny});
    }
    const g = c.img.getContext("2d"), im = g.createImageData(nx, ny), up = gy[ny - 1] > gy[0];
    for (let r = 0; r < ny; r++) {
      for (let j = 0; j < nx; j++) {
        const val = d.z[(up ? ny - 1 - r : r) * nx + j];
        im.data.set([...(finite(val) ? colour(val) : [200, 200, 200]), 255], (r * nx + j) * 4);
      }
    }
    g.putImageData(im, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(c.img, sx.px(x0), sy.px(y1), sx.px(x1) - sx.px(x0), sy.px(y0) - sy.px(y1));
  }
  colorbar(v, ctx, box.x + box.w + 12, box.y, box.h, VIRIDIS_LUT, lo, hi, bar, s.colorbar);
  if (cut !== null) { // the split on the colour bar
    const Y = box.y + box.h - ((cut - lo) / (hi - lo)) * box.h;
    stroke(ctx, TEXT, 2, () => { ctx.moveTo(box.x + box.w + 8, Y); ctx.lineTo(box.x + box.w + 30, Y); });
  }
  px.forEach((x, i) => {
    if (!finite(x) || !finite(py[i])) return;
    const X = sx.px(x), Y = sy.px(py[i]);
    const r = few ? 7 : clamp(Math.sqrt((box.w * box.h) / px.length) * 0.22, 2.5, 7);
    if (test[i]) { // a hollow square: white inside a dark edge, readable on every colour
      const q = Math.round(r * 0.85);
      ctx.lineWidth = few ? 4 : 3; ctx.strokeStyle = TEXT; ctx.strokeRect(X - q, Y - q, 2 * q, 2 * q);
      ctx.lineWidth = few ? 2 : 1; ctx.strokeStyle = "#ffffff"; ctx.strokeRect(X - q, Y - q, 2 * q, 2 * q);
    } else { // filled with the target's colour; white outline, and a dark ring for the yellow end
      dot(ctx, X, Y, r + 1.5, TEXT, null);
      dot(ctx, X, Y, r, css(lut(VIRIDIS_LUT, (vals[i] - lo) / (hi - lo))), "#ffffff", few ? 2 : 1);
    }
    near.at(X, Y, () => `${test[i] ? "test row" : "row"} ${i}: ${s.x_title}=${fmtG(x, 3)}, `
      + `${s.y_title}=${fmtG(py[i], 3)}, target ${fmtG(vals[i], 3)}`);
  });
  c.tip = near.text;
  if (!c.tip && d.z && inside(c.mouse, box)) {
    const j = clamp(Math.round((sx.inv(c.mouse.x) - gx[0]) / dx), 0, nx - 1);
    const i = clamp(Math.round((sy.inv(c.mouse.y) - gy[0]) / dy), 0, ny - 1);
    c.tip = `${s.x_title}=${fmtG(gx[j], 3)}, ${s.y_title}=${fmtG(gy[i], 3)}: ${s.colorbar}=${fmtG(d.z[i * nx + j], 3)}`;
  }
  if (test.some(Boolean)) {
    setFont(v, ctx, FONT - 1);
    label(ctx, "● training rows   □ test rows", box.x, 14, "left", "middle", TEXT);
  }
}

function drawLines(v, c, ctx, w, h) {
  const s = c.spec, d = c.data || {}, xs = d.x || [], lines = d.lines || [], med = d.median;
  const hl = s.highlight != null && lines[s.highlight] ? s.highlight : null, name = s.labels?.[hl] ?? `network ${hl}`;
  const [lo, hi] = extent(med ? [...lines, med] : lines, s.log_y);
  const empty = !xs.length || lo > hi, items = [];
  if (med) items.push({label: `median of ${lines.length}`, color: "#111111", width: 3.5});
  if (hl != null) items.push({label: name, color: HIGHLIGHT, width: 3});
  const P = plotArea(v, ctx, w, h, {x: [1, Math.max(10, xs[xs.length - 1] || 10)], xNice: false,
    y: empty ? (s.log_y ? [0.1, 1] : [0, 1]) : [lo, hi], ylog: s.log_y, xTitle: s.x_title, yTitle: s.y_title,
    top: 8 + legendRow(v, ctx, items, 0, 0, w, false)});
  drawAxes(v, ctx, P);
  if (empty) return centredText(v, ctx, P.box, xs.length ? DIVERGED_TEXT : EMPTY_TEXT);
  const {box, sx, sy} = P, n = xs.length, xp = xs.map(sx.px);
  // The faint bundle is the costly part (up to 256 x 400 points): drawn once per frame and size into a
  // layer of its own, so hovering only copies it.
  if (c.layer?.d !== d || c.layer.w !== w || c.layer.dpr !== c.dpr) {
    const layer = c.layer?.canvas || document.createElement("canvas"), g = layer.getContext("2d");
    [layer.width, layer.height] = [c.canvas.width, c.canvas.height];
    g.setTransform(c.dpr, 0, 0, c.dpr, 0, 0);
    clip(g, box.x, box.y, box.w, box.h);
    g.strokeStyle = "rgba(120,120,120,0.25)"; g.lineWidth = 1; g.lineJoin = "bevel";
    for (const ys of lines) { g.beginPath(); polyline(g, xs, ys, n, sx, sy, {xp, tol: 0.4}); g.stroke(); }
    g.restore();
    c.layer = {canvas: layer, d, w, dpr: c.dpr};
  }
  ctx.drawImage(c.layer.canvas, 0, 0, w, h);
  clip(ctx, box.x, box.y, box.w, box.h);
  ctx.lineJoin = "round";
  if (med) stroke(ctx, "#111111", 3.5, () => polyline(ctx, xs, med, n, sx, sy, {xp}));
  if (hl != null) stroke(ctx, HIGHLIGHT, 3, () => polyline(ctx, xs, lines[hl], n, sx, sy, {xp}));
  ctx.restore();
  legendRow(v, ctx, items, box.x, 0, w - box.x);
  if (c.mouse && c.mouse.x >= box.x && c.mouse.x <= box.x + box.w) {
    const i = nearestIndex(xs, n, sx.inv(c.mouse.x));
    vrule(ctx, Math.round(xp[i]) + 0.5, box.y, box.y + box.h);
    const parts = [med && `median ${fmtG(med[i], 4)}`, hl != null && `${name} ${fmtG(lines[hl][i], 4)}`];
    c.tip = `step ${fmtTick(xs[i])}: ${parts.filter(Boolean).join(", ") || `${lines.length} networks`}`;
  }
}

/** Deterministic vertical offsets in [-0.35, 0.35] (golden-ratio spread by index), as the server's. */
const jitter = (i) => (((i * 0.6180339887498949) % 1) - 0.5) * 0.7;

function drawStrip(v, c, ctx, w, h) {
  const s = c.spec, d = c.data || {}, vals = d.values || [], reached = d.reached || [], hl = s.highlight;
  const fine = (x) => finite(x) && (!s.log_x || x > 0), hasTarget = fine(s.target);
  const reach = [...vals.filter(fine), ...(hasTarget ? [s.target] : [])], diverged = vals.some((x) => !fine(x));
  const lo = reach.length ? Math.min(...reach) : s.log_x ? 0.1 : 1, top = reach.length ? Math.max(...reach) : 1;
  const edge = s.log_x ? top * 3 : top + Math.abs(top) * 0.2 + 1e-9, right = diverged ? edge : top;
  // diverged networks sit at the right edge, beyond every finite value
  const items = hasTarget ? [{label: "reached the target", color: BLUE, mark: "dot"},
    {label: "not reached", color: "#787878", mark: "dot"}] : [];
  const hasHl = hl != null && hl < vals.length;
  if (hasHl) items.push({label: s.labels?.[hl] ?? `network ${hl}`, color: HIGHLIGHT, mark: "diamond"});
  const pad = s.log_x ? [lo / 1.6, right * 1.6] : [lo - (top - lo) * 0.05, right + (top - lo) * 0.05];
  const P = plotArea(v, ctx, w, h, {x: pad, xlog: s.log_x, y: [-0.6, 0.75], noY: true, xTitle: s.x_title,
    top: 8 + legendRow(v, ctx, items, 16, 0, w - 16, false)});
  drawAxes(v, ctx, P);
  const {box, sx, sy} = P, near = nearest(c);
  setFont(v, ctx, FONT - 1);
  if (hasTarget) {
    const X = sx.px(s.target), t = `target ${fmtG(s.target, 4)}`;
    const flip = X + ctx.measureText(t).width + 6 > box.x + box.w; // the label left of the line at the edge
    stroke(ctx, "#333333", 2, () => { ctx.moveTo(X, sy.px(-0.5)); ctx.lineTo(X, sy.px(0.5)); }, [7, 5]);
    label(ctx, t, flip ? X - 4 : X + 4, sy.px(0.6), flip ? "right" : "left", "middle", TEXT);
  }
  let first = true;
  vals.forEach((x, i) => {
    const X = sx.px(fine(x) ? x : edge), Y = sy.px(jitter(i));
    if (fine(x)) dot(ctx, X, Y, 5.5, reached[i] ? css(rgb(BLUE), 0.8) : "rgba(120,120,120,0.75)", "#ffffff", 1);
    else {
      stroke(ctx, "#757575", 2.5, () => {
        ctx.moveTo(X - 5, Y - 5); ctx.lineTo(X + 5, Y + 5); ctx.moveTo(X + 5, Y - 5); ctx.lineTo(X - 5, Y + 5);
      });
      if (first) label(ctx, "diverged", X, sy.px(0.55), "right", "middle", MUTED);
      first = false;
    }
    near.at(X, Y, () => `${s.labels?.[i] ?? i}: ${fine(x) ? fmtG(x, 4) : "diverged"}`);
  });
  if (hasHl) diamond(ctx, sx.px(fine(vals[hl]) ? vals[hl] : edge), sy.px(jitter(hl)), 9, HIGHLIGHT);
  legendRow(v, ctx, items, box.x, 0, w - box.x);
  c.tip = near.text;
}

/** Small maps of every neuron over the input plane: one row of maps per layer, each on its layer's range. */
function drawNeurons(v, c, ctx, w, h) {
  const s = c.spec, gx = s.x || [], gy = s.y || [], nx = gx.length, ny = gy.length, layers = s.layers || [];
  const d = c.data || {}, maps = d.maps || [], L = layers.length;
  if (!nx || !ny || !L) return;
  setFont(v, ctx, FONT - 1);
  const left = Math.min(w * 0.25, 12 + widest(ctx, layers.map((l) => l.name))), gap = 6, labelH = 18;
  const most = Math.max(...layers.map((l) => l.labels.length));
  let best = {size: 0, rows: 1};
  for (let rows = 1; rows <= 4; rows++) { // rows of maps per layer: wrap when one row would make them tiny
    const per = Math.ceil(most / rows);
    const size = Math.floor(Math.min(96, (w - left) / per - gap, (h - 4) / (L * rows) - gap - (rows === 1 ? labelH : 0)));
    if (size > best.size) best = {size, rows, per};
  }
  const {size, per} = best, up = gy[ny - 1] > gy[0];
  if (size < 8) return centredText(v, ctx, {x: 0, y: 0, w, h}, "Too many neurons to draw here");
  if (c.img?.width !== nx || c.img.height !== ny) c.img = Object.assign(document.createElement("canvas"), {width: nx, height: ny});
  const g = c.img.getContext("2d"), im = g.createImageData(nx, ny), hits = [];
  let y = 2, drawn = 0;
  layers.forEach((layer, l) => {
    const [lo, hi] = d.ranges?.[l] || [0, 1], rowsHere = Math.ceil(layer.labels.length / per);
    label(ctx, fit(ctx, layer.name, left - 8), 4, y + size / 2, "left", "middle", TEXT);
    layer.labels.forEach((name, j) => {
      const X = left + (j % per) * (size + gap), Y = y + Math.floor(j / per) * (size + gap), z = maps[l]?.[j];
      if (z) {
        for (let r = 0; r < ny; r++) {
          for (let k = 0; k < nx; k++) {
            const val = z[(up ? ny - 1 - r : r) * nx + k];
            im.data.set([...(finite(val) ? lut(DIVERGING, (val - lo) / (hi - lo || 1)) : [200, 200, 200]), 255],
              (r * nx + k) * 4);
          }
        }
        g.putImageData(im, 0, 0);
        ctx.imageSmoothingEnabled = true;
        ctx.drawImage(c.img, X, Y, size, size);
        drawn++;
      } else { ctx.fillStyle = "#f3f5f8"; ctx.fillRect(X, Y, size, size); }
      ctx.strokeStyle = "#9aa1ad"; ctx.lineWidth = 1; ctx.strokeRect(X + 0.5, Y + 0.5, size - 1, size - 1);
      hits.push({X, Y, name, layer: layer.name, z});
    });
    y += rowsHere * (size + gap) + 4;
  });
  c.el.liveGeom = {maps: hits.length, drawn, size}; // for tests
  const m = c.mouse, hit = m && hits.find((t) => m.x >= t.X && m.x < t.X + size && m.y >= t.Y && m.y < t.Y + size);
  if (hit && hit.z) {
    const k = clamp(Math.floor(((m.x - hit.X) / size) * nx), 0, nx - 1), r = clamp(Math.floor(((m.y - hit.Y) / size) * ny), 0, ny - 1);
    const i = up ? ny - 1 - r : r;
    c.tip = `${hit.name} (${hit.layer}): ${fmtG(hit.z[i * nx + k], 3)} at ${s.x_title}=${fmtG(gx[k], 3)}, `
      + `${s.y_title}=${fmtG(gy[i], 3)}`;
  }
}

/** A one-input table: the network's output along the input, the rows as dots (held-out ones as squares). */
function drawFit(v, c, ctx, w, h) {
  const s = c.spec, gx = s.x || [], ys = c.data?.y || [], pts = s.points || {};
  const px = pts.x || [], py = pts.y || [], test = pts.test || [];
  if (!gx.length) return;
  let [lo, hi] = extent([ys, py], false);
  if (!(hi >= lo)) [lo, hi] = [0, 1];
  if (hi === lo) [lo, hi] = [lo - 0.5, hi + 0.5];
  const items = [{label: "network output", color: RED, width: 3}, {label: "training rows", color: BLUE, mark: "dot"}];
  if (test.some(Boolean)) items.push({label: "test rows (hollow)", color: TEXT, mark: "dot"});
  const P = plotArea(v, ctx, w, h, {x: [Math.min(gx[0], ...px.filter(finite)), Math.max(gx[gx.length - 1], ...px.filter(finite))],
    y: [lo, hi], xTitle: s.x_title, yTitle: s.y_title, top: 8 + legendRow(v, ctx, items, 0, 0, w, false)});
  drawAxes(v, ctx, P);
  const {box, sx, sy} = P, near = nearest(c);
  clip(ctx, box.x, box.y - 6, box.w, box.h + 12);
  stroke(ctx, RED, 3, () => polyline(ctx, gx, ys, gx.length, sx, sy));
  px.forEach((x, i) => {
    if (!finite(x) || !finite(py[i])) return;
    const X = sx.px(x), Y = sy.px(py[i]);
    if (test[i]) dot(ctx, X, Y, 5.5, "#ffffff", TEXT, 2); else dot(ctx, X, Y, 5.5, BLUE, "#ffffff", 1);
    near.at(X, Y, () => `${test[i] ? "test row" : "row"} ${i + 1}: ${s.x_title}=${fmtG(x, 4)}, ${s.y_title}=${fmtG(py[i], 4)}`);
  });
  ctx.restore();
  legendRow(v, ctx, items, box.x, 0, w - box.x);
  c.tip = near.text;
  if (!c.tip && ys.length && inside(c.mouse, box)) {
    const i = nearestIndex(gx, gx.length, sx.inv(c.mouse.x));
    c.tip = `${s.x_title}=${fmtG(gx[i], 4)}: output ${fmtG(ys[i], 4)}`;
  }
}

/** One dot per network at (training error, test error), the diagonal where they are equal, flagged ones in red. */
function drawScatter(v, c, ctx, w, h) {
  const s = c.spec, d = c.data || {}, xs = d.x || [], ys = d.y || [], flagged = d.flagged || [], hl = s.highlight;
  const ok = (u) => finite(u) && (!s.log || u > 0);
  const both = xs.map((x, i) => ok(x) && ok(ys[i]));
  const [lo, hi] = extent([xs.filter((_, i) => both[i]), ys.filter((_, i) => both[i])], s.log);
  const items = [{label: s.flag_label || "flagged", color: RED, mark: "dot"},
    {label: s.plain_label || "others", color: BLUE, mark: "dot"}];
  if (hl != null && hl < xs.length) items.push({label: s.labels?.[hl] ?? `network ${hl}`, color: HIGHLIGHT, mark: "diamond"});
  const empty = !(hi >= lo), range = empty ? (s.log ? [0.1, 1] : [0, 1]) : s.log ? [lo / 1.5, hi * 1.5] : [lo, hi];
  const P = plotArea(v, ctx, w, h, {x: range, y: range, xlog: s.log, ylog: s.log, xTitle: s.x_title, yTitle: s.y_title,
    equal: true, top: 8 + legendRow(v, ctx, items, 0, 0, w, false)});
  drawAxes(v, ctx, P);
  if (empty) return centredText(v, ctx, P.box, EMPTY_TEXT);
  const {box, sx, sy} = P, near = nearest(c);
  clip(ctx, box.x, box.y, box.w, box.h);
  const a = Math.max(sx.lo, sy.lo), b = Math.min(sx.hi, sy.hi); // y = x
  stroke(ctx, "#333333", 1.5, () => { ctx.moveTo(sx.px(a), sy.px(a)); ctx.lineTo(sx.px(b), sy.px(b)); }, [7, 5]);
  xs.forEach((x, i) => {
    if (!both[i]) return;
    const X = sx.px(x), Y = sy.px(ys[i]);
    dot(ctx, X, Y, 5.5, flagged[i] ? css(rgb(RED), 0.85) : css(rgb(BLUE), 0.75), "#ffffff", 1);
    near.at(X, Y, () => `${s.labels?.[i] ?? i}: training ${fmtG(x, 4)}, test ${fmtG(ys[i], 4)}`
      + (flagged[i] ? " (overfits)" : ""));
  });
  if (hl != null && both[hl]) diamond(ctx, sx.px(xs[hl]), sy.px(ys[hl]), 9, HIGHLIGHT);
  ctx.restore();
  legendRow(v, ctx, items, box.x, 0, w - box.x);
  c.tip = near.text;
}

const DRAW = {curve: drawCurve, heatmap: drawHeatmap, network: drawNetwork, scurve: drawSCurve, map: drawMap,
  lines: drawLines, strip: drawStrip, neurons: drawNeurons, fit: drawFit, scatter: drawScatter};

// -- the table: real HTML, its cells' text updated in place ---------------------------------------

function buildTable(c) {
  const s = c.spec, box = h("div", "lv-table-box"), table = h("table", "lv-table"), head = h("tr");
  for (const name of s.columns || []) head.append(h("th", null, name));
  table.append(h("thead"), h("tbody"));
  table.tHead.append(head);
  box.append(table);
  c.plot.replaceWith(box);
  c.plot = box;
  c.cells = [];
}

function drawTable(c) {
  const s = c.spec, cols = s.columns || [], live = c.data?.columns || {};
  const values = cols.map((name) => live[name] ?? s.fixed?.[name] ?? []);
  const n = Math.max(0, ...values.map((col) => col.length)), body = c.plot.querySelector("tbody");
  const reshaped = c.cells.length !== n;
  if (reshaped) { // the shape changed: rebuild the body once, then only texts change
    body.replaceChildren();
    c.cells = Array.from({length: n}, () => {
      const tr = body.appendChild(h("tr"));
      return cols.map(() => tr.appendChild(h("td")));
    });
  }
  cols.forEach((name, j) => {
    const f = FORMATS[s.formats?.[name]] || pyG;
    for (let i = 0; i < n; i++) {
      const t = values[j][i] == null ? "" : f(values[j][i]);
      if (c.cells[i][j].textContent !== t) c.cells[i][j].textContent = t;
    }
  });
  if (reshaped) { // beyond max_rows the box scrolls, its header kept in view
    const row = body.rows[0]?.getBoundingClientRect().height || 31, max = s.max_rows || 30;
    c.plot.style.maxHeight = n > max ? `${Math.ceil(row * (max + 1) + 2)}px` : "";
  }
}

// -- DOM helpers and styles --------------------------------------------------------------------

function h(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text != null) e.textContent = text;
  return e;
}

const STYLE = `
.lv { color: ${TEXT}; font-size: 16px; line-height: 1.4; }
.lv *, .lv *::before, .lv *::after { box-sizing: border-box; }
.lv [hidden] { display: none !important; }
.lv-heading { font-size: 20px; font-weight: 600; margin: 0 0 6px; overflow-wrap: anywhere; }
.lv-controls { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 8px; margin: 0 0 6px; }
.lv-btn { font: inherit; font-size: 15px; line-height: 1.3; min-height: 36px; padding: 5px 14px; white-space: nowrap;
  color: ${TEXT}; background: #ffffff; border: 1px solid #c4cad6; border-radius: 8px; cursor: pointer; }
.lv-btn:hover:not(:disabled) { border-color: ${PRIMARY}; color: ${PRIMARY}; }
.lv-btn:focus-visible, .lv-field :focus-visible { outline: 2px solid ${PRIMARY}; outline-offset: 2px; }
.lv-btn.lv-primary { background: ${PRIMARY}; border-color: ${PRIMARY}; color: #ffffff; min-width: 6.5em; }
.lv-btn.lv-primary:hover:not(:disabled) { background: #a93226; color: #ffffff; }
.lv-btn:disabled { opacity: 0.45; cursor: not-allowed; }
.lv-group { display: inline-flex; flex-wrap: wrap; align-items: center; gap: 6px 8px; }
.lv-field { display: inline-flex; align-items: center; gap: 6px; font-size: 15px; white-space: nowrap; }
.lv-field input, .lv-field select { font: inherit; min-height: 36px; padding: 4px 8px; color: ${TEXT};
  background: #f3f5f8; border: 1px solid #c4cad6; border-radius: 8px; }
.lv-field input { width: 7.5em; font-variant-numeric: tabular-nums; }
.lv-field input[aria-invalid="true"] { border-color: ${PRIMARY}; }
.lv-note { flex-basis: 100%; font-size: 15px; color: ${MUTED}; }
.lv-status { display: flex; flex-wrap: wrap; gap: 2px 28px; margin: 0 0 8px; }
.lv-stat { min-width: max-content; }
.lv-stat-label { font-size: 14px; color: ${MUTED}; white-space: nowrap; }
.lv-stat-value { font-size: 24px; font-weight: 600; line-height: 1.2; white-space: nowrap;
  font-variant-numeric: tabular-nums; }
.lv-message { margin: 0 0 10px; padding: 8px 14px; border-radius: 8px; font-size: 15px; overflow-wrap: anywhere; }
.lv-warning { background: #fffbe6; color: #7a5a00; } .lv-info { background: #e8f1fb; color: #174a84; }
.lv-error { background: #fdecea; color: #8a1c1c; }
.lv-grid { display: grid; grid-template-columns: repeat(30, minmax(0, 1fr)); gap: 14px 20px; }
.lv-chart { margin: 0; min-width: 0; grid-column: span 30; }
.lv-title { font-size: 18px; line-height: 1.3; margin: 0 0 4px; overflow-wrap: anywhere; }
.lv-plot { position: relative; }
.lv-plot canvas { display: block; width: 100%; touch-action: pan-y; }
.lv-tip { position: absolute; z-index: 3; pointer-events: none; white-space: pre-wrap; max-width: min(26em, 100%);
  font-size: 14px; line-height: 1.35; padding: 4px 8px; color: #ffffff; background: rgba(31, 36, 48, 0.92);
  border-radius: 4px; }
.lv-edit { position: absolute; z-index: 4; height: 36px; padding: 4px 8px; font: inherit; font-size: 15px;
  font-variant-numeric: tabular-nums; color: ${TEXT}; background: #ffffff; border: 2px solid ${PRIMARY};
  border-radius: 6px; box-shadow: 0 2px 8px rgba(0, 0, 0, 0.25); }
.lv-edit[aria-invalid="true"] { background: #fdecea; }
.lv-table-box { overflow: auto; max-width: 100%; border: 1px solid ${GRID}; border-radius: 6px; }
.lv-table { border-collapse: collapse; font-size: 15px; font-variant-numeric: tabular-nums; min-width: 100%; }
.lv-table th, .lv-table td { padding: 4px 12px; text-align: right; white-space: nowrap;
  border-bottom: 1px solid #eef1f6; }
.lv-table thead th { position: sticky; top: 0; background: #f3f5f8; font-weight: 600; }
`;

// -- controls: every click is an action that reaches the server exactly once -------------------------

const speedLabel = (n) => (n === 0 ? "As fast as possible" : n === 1 ? "1 step/s" : `${commas(String(n))} steps/s`);

function button(name, onClick, primary = false) {
  const b = h("button", primary ? "lv-btn lv-primary" : "lv-btn", name);
  b.type = "button";
  b.addEventListener("click", onClick);
  return b;
}

function buildControls(v, kind) {
  const k = {kind}, act = (kind2, arg) => () => action(v, kind2, arg);
  v.controls.replaceChildren();
  const parts = [];
  if (kind !== "sweep") {
    parts.push(button("Step", act("step", 1)));
    if (kind === "train") parts.push(button("Step ×10", act("step", 10)));
    parts.push(button("Step ×100", act("step", 100)));
  }
  k.run = button("▶ Run", () => {
    const running = v.running;
    action(v, running ? "pause" : kind === "sweep" ? "continue" : "run");
  }, true);
  parts.push(k.run);
  if (kind === "train") {
    const field = h("label", "lv-field");
    k.input = h("input");
    Object.assign(k.input, {type: "number", min: "1", step: "1", inputMode: "numeric"});
    const runTo = () => {
      const n = Number(k.input.value);
      const bad = !Number.isInteger(n) || n < 1;
      k.input.setAttribute("aria-invalid", String(bad));
      if (!bad) action(v, "run_to", n);
    };
    k.input.addEventListener("keydown", (e) => { if (e.key === "Enter") runTo(); });
    field.append(h("span", null, "Run to step"), k.input);
    k.runTo = button("Run to", runTo);
    const group = h("span", "lv-group"); // the box and its button wrap together
    group.append(field, k.runTo);
    parts.push(group);
  }
  if (kind !== "sweep") {
    parts.push(button("Reset", act("reset")));
    const field = h("label", "lv-field");
    k.select = h("select");
    k.select.addEventListener("change", () => action(v, "speed", Number(k.select.value)));
    field.append(h("span", null, "Speed"), k.select);
    parts.push(field);
  }
  k.note = h("div", "lv-note");
  v.controls.append(...parts, k.note);
  v.ctl = k;
}

function action(v, kind, arg = null) {
  const n = ++v.actionCount;
  v.log.push([n, kind, arg]);
  if (v.log.length > LOG_CAP) v.log.splice(0, v.log.length - LOG_CAP);
  if (kind in RUN_EFFECT) { v.runClick = n; v.running = RUN_EFFECT[kind]; showRunning(v); } // optimistic
  if (kind === "speed") v.speedClick = n;
  v.component.setStateValue("actions", {mount: v.mount, log: v.log.map((e) => e.slice())});
}

function showRunning(v) {
  const k = v.ctl;
  if (!k) return;
  k.run.textContent = v.running ? "⏸ Pause" : k.kind === "sweep" ? "▶ Continue" : "▶ Run";
  k.run.disabled = !v.running && !v.canRun; // Pause is always possible
  if (k.runTo) k.runTo.disabled = !v.canRun;
}

function setControls(v, ctl) {
  v.controls.hidden = !ctl;
  v.serverRunning = !!ctl?.running;
  v.tickGap = Math.max(TICK_GAP, Number(ctl?.tick_ms) || 0); // a busy server asks for fewer requests
  if (!ctl) { v.ctl = null; return; }
  if (!v.ctl || v.ctl.kind !== ctl.kind) buildControls(v, ctl.kind);
  const k = v.ctl, acked = v.acked = Math.max(v.acked, ctl.acked?.[v.mount] ?? 0); // never goes back
  v.log = v.log.filter((e) => e[0] > acked);
  v.canRun = ctl.can_run !== false;
  if (v.runClick <= acked) v.running = !!ctl.running; // the server has seen our last Run/Pause: follow it
  showRunning(v);
  if (k.input && ctl.run_to !== k.runToDefault) { // a new default (new preset) refills the box, unless typing
    k.runToDefault = ctl.run_to;
    if (v.parent.activeElement !== k.input) {
      k.input.value = ctl.run_to ?? "";
      k.input.setAttribute("aria-invalid", "false");
    }
  }
  if (k.select) {
    const speeds = ctl.speeds || [];
    if (speeds.join() !== k.speeds) {
      k.speeds = speeds.join();
      const option = (n) => Object.assign(h("option", null, speedLabel(n)), {value: String(n)});
      k.select.replaceChildren(...speeds.map(option));
    }
    if (v.speedClick <= acked) k.select.value = String(ctl.speed ?? 0);
  }
  k.note.textContent = ctl.note || "";
  k.note.hidden = !ctl.note;
}

/**
 * A weight clicked on an editable heatmap: a box over its cell takes a new value; Enter sends the action
 * ["set_weight", [layer, row, column, value]] (the bias is the last row), Escape or leaving the box cancels.
 */
function editCell(v, c, x, y) {
  const g = c.el.liveGeom, z = c.data?.z;
  if (!g || !z || !inside({x, y}, g.box) || v.ctl?.kind !== "train") return;
  const ch = g.box.h / g.rows, cw = g.box.w / g.cols;
  const i = Math.min(g.rows - 1, Math.floor((y - g.box.y) / ch)), j = Math.min(g.cols - 1, Math.floor((x - g.box.x) / cw));
  c.plot.querySelector(".lv-edit")?.remove();
  const box = h("input", "lv-edit");
  const where = `${c.spec.rows?.[i] ?? i} to ${c.spec.cols?.[j] ?? j}`;
  Object.assign(box, {type: "text", inputMode: "decimal", value: String(z[i * g.cols + j]), title: `weight from ${where}`});
  box.setAttribute("aria-label", `New value of the weight from ${where}`);
  Object.assign(box.style, {left: `${g.box.x + j * cw}px`, top: `${g.box.y + i * ch + ch / 2 - 18}px`,
    width: `${Math.max(cw, 96)}px`});
  let done = false;
  const close = () => { done = true; box.remove(); };
  box.addEventListener("keydown", (e) => {
    if (e.key === "Escape") close();
    if (e.key !== "Enter") return;
    const value = Number(box.value.trim());
    if (box.value.trim() === "" || !Number.isFinite(value)) { box.setAttribute("aria-invalid", "true"); return; }
    close();
    action(v, "set_weight", [c.spec.editable, i, j, value]);
  });
  box.addEventListener("blur", () => { if (!done) close(); });
  c.plot.append(box);
  box.focus();
  box.select();
}

// -- the view: status line, charts and the frame player -------------------------------------------------

const views = new WeakMap();

function randomId() {
  // crypto.randomUUID needs a secure context, and a classroom server is often plain http
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function createView(parent) {
  if (!parent.querySelector("style[data-liveview]")) {
    const style = h("style", null, STYLE);
    style.dataset.liveview = "";
    parent.append(style);
  }
  const root = h("div", "lv");
  const v = {
    parent, root, charts: new Map(), key: undefined, serial: undefined, raf: 0,
    // actions: a number per click, the unacknowledged ones, and the last Run/Pause and Speed clicks
    mount: randomId(), actionCount: 0, log: [], acked: 0, runClick: 0, speedClick: 0,
    ctl: null, running: false, canRun: true, serverRunning: false,
    ticks: 0, tickAt: -Infinity, waiting: false, // requests for the next payload
    stats: {draws: {}, steps: {}, ms: {}, log: [], ticks: 0, rebuilds: 0},
  };
  v.heading = h("h3", "lv-heading");
  v.controls = h("div", "lv-controls");
  v.controls.setAttribute("role", "group");
  v.controls.setAttribute("aria-label", "Training controls");
  v.status = h("div", "lv-status");
  v.message = h("div", "lv-message");
  v.message.setAttribute("role", "status");
  v.grid = h("div", "lv-grid");
  root.append(v.heading, v.controls, v.status, v.message, v.grid);
  parent.append(root);
  root.liveStats = v.stats;
  window.__backpropLiveStats = v.stats;
  v.font = getComputedStyle(root).fontFamily || "sans-serif";
  document.fonts?.ready.then(() => { // redraw once the page's web font is in
    for (const c of v.charts.values()) c.dirty = true;
    wake(v);
  });
  resetPlayer(v);
  // One observer for the grid (spans) and every plot (canvas size), drawing at once so nothing stretches.
  v.resize = new ResizeObserver((entries) => {
    for (const e of entries) {
      if (e.target === root) { layout(v); continue; }
      const c = e.target.chart, width = Math.floor(e.contentRect.width);
      if (c && width > 0 && width !== c.w) { sizeCanvas(c, width); drawChart(v, c); }
    }
  });
  v.resize.observe(root);
  return v;
}

function resetPlayer(v) {
  // step: shown; last: newest queued or shown; interval: ms between payloads (smoothed); status: as shown
  v.player = {queue: [], step: -Infinity, last: -Infinity, shownAt: 0, lastAt: -Infinity, interval: 200, status: {},
    gen: undefined};
}

/** Grid spans (of 30): curve + table (and lines + strip) as 3:2 when wide, the network diagram and the neuron
 * maps side by side, heatmaps up to three a row. */
function layout(v) {
  const W = v.root.clientWidth, list = [...v.charts.values()];
  const heat = list.filter((c) => c.kind === "heatmap").length;
  const perRow = Math.max(1, Math.min(heat, W >= 1050 ? 3 : W >= 700 ? 2 : 1));
  const pairs = {curve: ["table", 18], lines: ["strip", 18], network: ["neurons", 15]};
  // 30 columns have 29 gaps, 580 px: a narrower view (beside an open sidebar) needs only halves, so it gets two.
  const columns = W >= 900 ? 30 : 2;
  v.grid.style.gridTemplateColumns = `repeat(${columns}, minmax(0, 1fr))`;
  list.forEach((c, i) => {
    let span = 30, start = "";
    const before = pairs[list[i - 1]?.kind];
    if (W >= 900 && pairs[c.kind] && list[i + 1]?.kind === pairs[c.kind][0]) {
      span = pairs[c.kind][1];
      start = "1 / "; // a pair starts its own row, even after an odd heatmap
    } else if (W >= 900 && before?.[0] === c.kind) span = 30 - before[1];
    else if (c.kind === "heatmap") span = 30 / perRow;
    c.el.style.gridColumn = `${start}span ${span * columns / 30}`;
  });
}

function sizeCanvas(c, width) {
  const dpr = window.devicePixelRatio || 1;
  c.w = width; c.dpr = dpr;
  c.canvas.width = Math.round(width * dpr);
  c.canvas.height = Math.round(c.h * dpr);
  c.canvas.style.height = `${c.h}px`;
}

function buildCharts(v, specs) {
  for (const c of v.charts.values()) v.resize.unobserve(c.plot);
  v.grid.replaceChildren();
  v.charts = new Map();
  v.stats.rebuilds++;
  for (const spec of specs || []) {
    const el = h("figure", "lv-chart"), title = h("figcaption", "lv-title", spec.title || "");
    el.dataset.chartId = spec.id;
    el.dataset.kind = spec.kind;
    const c = {id: spec.id, kind: spec.kind, spec, el, title, plot: h("div", "lv-plot"), dirty: true, w: 0,
      h: Math.max(160, (spec.height || 360) - 32), data: null, step: null, drawnStep: undefined, mouse: null};
    el.append(title, c.plot);
    if (spec.kind === "table") buildTable(c);
    else {
      c.canvas = h("canvas");
      c.canvas.setAttribute("role", "img");
      c.canvas.setAttribute("aria-label", spec.title || spec.kind);
      c.tipEl = h("div", "lv-tip");
      c.tipEl.hidden = true;
      c.plot.append(c.canvas, c.tipEl);
      c.canvas.addEventListener("pointermove", (e) => { c.mouse = {x: e.offsetX, y: e.offsetY}; drawChart(v, c); });
      c.canvas.addEventListener("pointerleave", () => { c.mouse = null; drawChart(v, c); });
      if (spec.kind === "heatmap" && spec.editable != null) {
        c.canvas.addEventListener("click", (e) => editCell(v, c, e.offsetX, e.offsetY));
        c.canvas.style.cursor = "pointer";
      }
      c.plot.chart = c;
      v.resize.observe(c.plot);
    }
    v.grid.append(el);
    v.charts.set(spec.id, c);
  }
  layout(v);
}

function drawChart(v, c) {
  c.dirty = false;
  const t0 = performance.now();
  if (c.kind === "table") { drawTable(c); return stamp(v, c, performance.now() - t0); }
  if (!c.w || !c.canvas.isConnected) return;
  if ((window.devicePixelRatio || 1) !== c.dpr) sizeCanvas(c, c.w); // moved to a screen of another density
  const ctx = c.canvas.getContext("2d");
  ctx.setTransform(c.dpr, 0, 0, c.dpr, 0, 0);
  ctx.clearRect(0, 0, c.w, c.h);
  c.tip = null;
  try { DRAW[c.kind]?.(v, c, ctx, c.w, c.h); } catch (err) { console.error(`live view: ${c.id}`, err); }
  ctx.setLineDash([]); ctx.globalAlpha = 1;
  const tip = c.tipEl;
  tip.hidden = !(c.mouse && c.tip);
  if (!tip.hidden) {
    tip.textContent = c.tip;
    const tw = tip.offsetWidth, th = tip.offsetHeight;
    tip.style.left = `${c.mouse.x + 14 + tw > c.w ? Math.max(0, c.mouse.x - 14 - tw) : c.mouse.x + 14}px`;
    tip.style.top = `${clamp(c.mouse.y - th - 10, 0, c.h - th)}px`;
  }
  stamp(v, c, performance.now() - t0);
}

/** Counters for tests and measurements: draws and draw time per chart, and each new step drawn. */
function stamp(v, c, ms) {
  const st = v.stats, step = c.kind === "curve" ? (Number.isFinite(c.reveal) ? Math.round(c.reveal) : c.step) : c.step;
  st.draws[c.id] = (st.draws[c.id] || 0) + 1;
  st.ms[c.id] = (st.ms[c.id] || 0) + ms;
  if (step != null) c.el.dataset.step = String(step);
  c.el.liveData = c.data; // for tests: the numbers this chart shows now
  if (step !== c.drawnStep && step != null) {
    c.drawnStep = step;
    st.steps[c.id] = (st.steps[c.id] || 0) + 1;
    st.log.push([performance.now(), c.id, step]);
    if (st.log.length > 5000) st.log.splice(0, 1000);
  }
}

function setStatus(v, items) {
  items = items || [];
  const labels = items.map((s) => s.label).join("\u0000");
  if (labels !== v.statusLabels) {
    v.statusLabels = labels;
    v.status.replaceChildren(...items.map((s) => {
      const box = h("div", "lv-stat"), value = h("div", "lv-stat-value");
      box.dataset.label = s.label;
      value.dataset.role = "value";
      box.append(h("div", "lv-stat-label", s.label), value);
      return box;
    }));
  }
  v.statusBase = items;
  [...v.status.children].forEach((box, i) => {
    if (items[i].help) box.title = items[i].help; else box.removeAttribute("title");
  });
  showStatus(v);
}

function showStatus(v) {
  const frame = v.player.status;
  [...v.status.children].forEach((box, i) => {
    const s = v.statusBase[i], text = String(frame[s.label] ?? s.value ?? ""), el = box.lastChild;
    if (el.textContent !== text) el.textContent = text;
  });
}

/** Take one frame's numbers into the charts (drawn later, once per animation frame). */
function applyFrame(v, f) {
  const p = v.player;
  p.step = f.step;
  Object.assign(p.status, f.status || {});
  for (const [id, d] of Object.entries(f.charts || {})) {
    const c = v.charts.get(id);
    if (!c) continue;
    c.data = c.kind === "table" && c.data ? {columns: {...c.data.columns, ...d.columns}} : d;
    c.step = f.step;
    c.dirty = true;
  }
  for (const c of v.charts.values()) if (c.kind === "curve") { c.step = f.step; c.dirty = true; }
}

function feed(v, data) {
  if (!data || data.serial === v.serial) return; // the same payload twice
  const now = performance.now(), p = v.player, rebuild = data.key !== v.key;
  v.serial = data.serial;
  v.waiting = false;
  if (rebuild) { buildCharts(v, data.charts); v.key = data.key; }
  else for (const spec of data.charts || []) { // same structure: titles and labels may still change
    const c = v.charts.get(spec.id);
    if (!c || JSON.stringify(spec) === c.specText) continue;
    const newColumns = c.kind === "table" && spec.columns?.join("\u0000") !== c.spec.columns?.join("\u0000");
    c.spec = spec;
    if (newColumns) buildTable(c);
    c.dirty = true;
  }
  for (const c of v.charts.values()) {
    c.specText = JSON.stringify(c.spec);
    if (c.title.textContent !== (c.spec.title || "")) c.title.textContent = c.spec.title || "";
    if (c.kind === "curve") { c.hist = data.curves?.[c.id] || null; c.dirty = true; }
  }
  v.heading.hidden = !data.title;
  v.heading.textContent = data.title || "";
  v.message.hidden = !data.message;
  v.message.className = `lv-message lv-${data.message?.kind || "info"}`;
  v.message.textContent = data.message?.text || "";
  setControls(v, data.controls);
  const frames = data.frames || [], newest = frames[frames.length - 1];
  const restart = rebuild || data.generation !== p.gen || (newest && newest.step < p.last);
  if (restart) { // Reset, a new network or a new structure: the newest state at once, no queue
    resetPlayer(v);
    v.player.gen = data.generation;
    frames.forEach((f) => applyFrame(v, f));
    v.player.last = newest ? newest.step : -Infinity;
    v.player.shownAt = now;
  } else if (newest) {
    const fresh = frames.filter((f) => f.step > p.last);
    const gap = now - p.lastAt;
    p.interval = gap > 1000 ? 200 : clamp(0.6 * p.interval + 0.4 * gap, 50, MAX_LAG);
    if (fresh.length) {
      p.lastAt = now;
      p.last = fresh[fresh.length - 1].step;
      // A Step, or a reader who asked for less motion: the newest state at once, no playback in between.
      if (reducedMotion() || (!v.serverRunning && !p.queue.length && fresh.length === 1)) {
        fresh.forEach((f) => applyFrame(v, f));
        p.shownAt = now;
      } else { // spread evenly over the time until the next payload, after what is already queued
        let t = Math.max(now, p.queue.length ? p.queue[p.queue.length - 1].due : now);
        const d = p.interval / fresh.length;
        for (const f of fresh) p.queue.push({f, due: (t += d)});
        const lag = p.queue[p.queue.length - 1].due - now;
        if (lag > MAX_LAG) for (const q of p.queue) q.due = now + (q.due - now) * MAX_LAG / lag;
      }
    }
  }
  setStatus(v, data.status);
  advance(v, now);
  for (const c of v.charts.values()) if (c.dirty) drawChart(v, c); // this payload's picture without waiting a frame
  wake(v);
}

/** Show every frame that is due; for curves, the step between the shown frame and the next one. */
function advance(v, now) {
  const p = v.player;
  let shown = false;
  while (p.queue.length && p.queue[0].due <= now) { applyFrame(v, p.queue.shift().f); shown = true; }
  if (shown) { p.shownAt = now; showStatus(v); }
  const next = p.queue[0], t = next ? clamp((now - p.shownAt) / Math.max(1, next.due - p.shownAt), 0, 1) : 0;
  const reveal = p.step === -Infinity ? Infinity : next ? p.step + (next.f.step - p.step) * t : p.step;
  for (const c of v.charts.values()) {
    if (c.kind === "curve" && c.reveal !== reveal) { c.reveal = reveal; c.dirty = true; }
  }
}

function reducedMotion() {
  return Boolean(window.matchMedia?.("(prefers-reduced-motion: reduce)").matches);
}

function wake(v) {
  if (!v.raf) v.raf = requestAnimationFrame((now) => loop(v, now));
}

function loop(v, now) {
  v.raf = 0;
  if (!v.root.isConnected) return; // the page moved on: stop for good (no cleanup hook on this path)
  advance(v, now);
  for (const c of v.charts.values()) if (c.dirty) drawChart(v, c);
  const p = v.player, active = v.serverRunning || p.queue.length > 0;
  // Pull, don't push: one request for the next payload at a time, only while there is something to fetch.
  const since = now - v.tickAt;
  if (active && document.visibilityState === "visible" && since >= (v.tickGap || TICK_GAP)
      && (!v.waiting || since >= TICK_TIMEOUT)) {
    v.tickAt = now;
    v.waiting = true;
    v.stats.ticks++;
    v.component.setTriggerValue("tick", ++v.ticks);
  }
  if (active) wake(v);
}

/** Entry point: build the view on the first call for this parent, then feed it each payload. */
export function render(component) {
  const parent = component.parentElement;
  let v = views.get(parent);
  if (!v || !v.root.isConnected) { v = createView(parent); views.set(parent, v); }
  v.component = component;
  feed(v, component.data);
}

/** For tests: the number formats and axis ticks. */
export const _internals = {fmtG, fmtTick, pyFixed, pyG, logTicks, ticksFor};
