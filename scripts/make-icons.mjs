#!/usr/bin/env node
// Draws Switchboard's tray and app icons and writes them to resources/ (or `--out DIR`):
// PNG bytes are produced here (RGBA, zlib from node:zlib, CRC-32 per chunk), no image library.
// The glyph is a small routing diagram — two inputs joining into one output — and the tray state
// shows in it: filled nodes (running), hollow nodes (stopped), a ✕ badge (error), a ! badge
// (needs attention). macOS gets template images (black + alpha only, @1x/@2x) the menu bar tints
// itself; Windows gets multi-size .ico files; Linux PNGs. The results are committed;
// test/desktop/icons.test.ts checks they match what this script draws.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Buffer } from 'node:buffer';
import { deflateSync } from 'node:zlib';

const ROOT = path.resolve(import.meta.dirname, '..');
const STATES = ['running', 'stopped', 'error', 'attention'];

// ---- geometry (unit square, y down) ----------------------------------------------------------
// Only + - * / and Math.sqrt (correctly rounded everywhere), so every platform and Node version
// draws the same pixels and the committed files can be compared with a fresh run.

const sq = (v) => v * v;
const dist = (x, y, cx, cy) => Math.sqrt(sq(x - cx) + sq(y - cy));
const disc = (cx, cy, r) => (x, y) => sq(x - cx) + sq(y - cy) <= r * r;
const ring = (cx, cy, r, w) => (x, y) => {
  const d = dist(x, y, cx, cy);
  return d <= r && d >= r - w;
};
function segment(ax, ay, bx, by, w) {
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  return (x, y) => {
    const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / len2));
    return dist(x, y, ax + t * dx, ay + t * dy) <= w / 2;
  };
}
const union =
  (...shapes) =>
  (x, y) =>
    shapes.some((s) => s(x, y));
const minus = (a, b) => (x, y) => a(x, y) && !b(x, y);
function roundedSquare(inset, radius) {
  const lo = inset;
  const hi = 1 - inset;
  return (x, y) => {
    if (x < lo || x > hi || y < lo || y > hi) return false;
    const cx = Math.min(Math.max(x, lo + radius), hi - radius);
    const cy = Math.min(Math.max(y, lo + radius), hi - radius);
    return sq(x - cx) + sq(y - cy) <= radius * radius;
  };
}

// Nodes: two inputs on the left, one output on the right, wires meeting at a junction.
const A = [0.19, 0.24];
const B = [0.19, 0.76];
const J = [0.5, 0.5];
const C = [0.81, 0.5];
const NODE_R = 0.15;
const WIRE = 0.1;

/** `withOutput: false` leaves the output node out: the state badge takes its place. */
function glyph(state, withOutput = true) {
  const wires = union(segment(...A, ...J, WIRE), segment(...B, ...J, WIRE), segment(...J, ...C, WIRE), disc(...J, WIRE / 2));
  const hollow = state === 'stopped' || state === 'error';
  const outputs = withOutput ? [C] : [];
  const nodes = hollow
    ? union(...[A, B, ...outputs].map((p) => ring(...p, NODE_R, 0.075)))
    : union(...[A, B, ...outputs].map((p) => disc(...p, NODE_R)));
  // Wires stop at the rim of a hollow node instead of running into its hole.
  const holes = hollow ? union(...[A, B, ...outputs].map((p) => disc(...p, NODE_R - 0.075))) : () => false;
  return union(minus(wires, holes), nodes);
}

// Error and attention: the output node becomes a badge (✕ or !), cut free of the wire by a gap.
const BADGE = [0.76, 0.5];
const BADGE_R = 0.24;
const BADGE_GAP = 0.06;
const badgeArea = disc(...BADGE, BADGE_R + BADGE_GAP);
const badgeDisc = disc(...BADGE, BADGE_R);
const crossMark = union(
  segment(BADGE[0] - 0.09, BADGE[1] - 0.09, BADGE[0] + 0.09, BADGE[1] + 0.09, 0.065),
  segment(BADGE[0] + 0.09, BADGE[1] - 0.09, BADGE[0] - 0.09, BADGE[1] + 0.09, 0.065),
);
const bangMark = union(segment(BADGE[0], BADGE[1] - 0.12, BADGE[0], BADGE[1] + 0.02, 0.07), disc(BADGE[0], BADGE[1] + 0.1, 0.042));

/** Layers (shape, [r, g, b, a]) painted back to front. `template`: black only (macOS). */
export function trayLayers(state, template) {
  const colors = template
    ? {
        running: [0, 0, 0, 255],
        stopped: [0, 0, 0, 255],
        error: [0, 0, 0, 255],
        attention: [0, 0, 0, 255],
        badge: [0, 0, 0, 255],
        mark: null,
      }
    : {
        running: [47, 181, 106, 255],
        stopped: [154, 160, 166, 255],
        error: [154, 160, 166, 255],
        attention: [47, 181, 106, 255],
        badge: state === 'error' ? [229, 72, 77, 255] : [245, 165, 36, 255],
        mark: state === 'error' ? [255, 255, 255, 255] : [31, 31, 31, 255],
      };
  if (state === 'running' || state === 'stopped') return [[glyph(state), colors[state]]];
  const g = glyph(state, false);
  const mark = state === 'error' ? crossMark : bangMark;
  const layers = [[minus(g, badgeArea), colors[state]]];
  // In a template image the mark is cut out of the badge (transparent); in colour it is painted on it.
  if (template) layers.push([minus(badgeDisc, mark), colors.badge]);
  else layers.push([badgeDisc, colors.badge], [mark, colors.mark]);
  return layers;
}

export function appLayers() {
  const inner = 0.2;
  const scaled = (shape) => (x, y) => shape((x - inner) / (1 - 2 * inner), (y - inner) / (1 - 2 * inner));
  return [
    [roundedSquare(0.06, 0.2), (x, y) => mix([79, 70, 229], [124, 58, 237], y)],
    [scaled(glyph('running')), [255, 255, 255, 255]],
  ];
}

function mix(a, b, t) {
  return [0, 1, 2].map((i) => Math.round(a[i] + (b[i] - a[i]) * t)).concat(255);
}

// ---- raster ----------------------------------------------------------------------------------

/** Renders layers into RGBA (straight alpha), supersampled for anti-aliasing. */
export function render(size, layers) {
  const n = size <= 64 ? 8 : size <= 256 ? 4 : 2;
  const out = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (const [shape, paint] of layers) {
        let hits = 0;
        let cr = 0;
        let cg = 0;
        let cb = 0;
        let ca = 0;
        for (let sy = 0; sy < n; sy++) {
          for (let sx = 0; sx < n; sx++) {
            const x = (px + (sx + 0.5) / n) / size;
            const y = (py + (sy + 0.5) / n) / size;
            if (!shape(x, y)) continue;
            hits++;
            const c = typeof paint === 'function' ? paint(x, y) : paint;
            cr += c[0];
            cg += c[1];
            cb += c[2];
            ca += c[3];
          }
        }
        if (hits === 0) continue;
        const sa = (ca / hits / 255) * (hits / (n * n));
        const sr = cr / hits;
        const sg = cg / hits;
        const sb = cb / hits;
        // "over" compositing in straight alpha
        const oa = sa + a * (1 - sa);
        if (oa > 0) {
          r = (sr * sa + r * a * (1 - sa)) / oa;
          g = (sg * sa + g * a * (1 - sa)) / oa;
          b = (sb * sa + b * a * (1 - sa)) / oa;
        }
        a = oa;
      }
      const i = (py * size + px) * 4;
      const alpha = Math.round(a * 255);
      out[i] = alpha === 0 ? 0 : Math.round(r);
      out[i + 1] = alpha === 0 ? 0 : Math.round(g);
      out[i + 2] = alpha === 0 ? 0 : Math.round(b);
      out[i + 3] = alpha;
    }
  }
  return out;
}

// ---- PNG / ICO -------------------------------------------------------------------------------

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(bytes) {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A truecolour + alpha PNG, filter 0 on every row. */
export function encodePng(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type RGBA
  ihdr[10] = 0; // compression
  ihdr[11] = 0; // filter method
  ihdr[12] = 0; // no interlace
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) rgba.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** An .ico holding one PNG per size (PNG entries are valid in ICO since Windows Vista). */
export function encodeIco(images) {
  const header = Buffer.alloc(6 + images.length * 16);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(images.length, 4);
  let offset = header.length;
  images.forEach(({ size, png }, i) => {
    const e = 6 + i * 16;
    header[e] = size >= 256 ? 0 : size;
    header[e + 1] = size >= 256 ? 0 : size;
    header[e + 2] = 0;
    header[e + 3] = 0;
    header.writeUInt16LE(1, e + 4);
    header.writeUInt16LE(32, e + 6);
    header.writeUInt32LE(png.length, e + 8);
    header.writeUInt32LE(offset, e + 12);
    offset += png.length;
  });
  return Buffer.concat([header, ...images.map((img) => img.png)]);
}

// ---- what gets written -----------------------------------------------------------------------

const TRAY_ICO_SIZES = [16, 20, 24, 32, 40, 48];
const APP_ICO_SIZES = [16, 24, 32, 48, 64, 128, 256];
const LINUX_APP_SIZES = [16, 32, 48, 64, 128, 256, 512];

export function iconFiles() {
  const files = [];
  const png = (size, layers) => encodePng(size, render(size, layers));
  for (const state of STATES) {
    files.push([`tray/mac/tray-${state}Template.png`, png(16, trayLayers(state, true))]);
    files.push([`tray/mac/tray-${state}Template@2x.png`, png(32, trayLayers(state, true))]);
    files.push([`tray/linux/tray-${state}.png`, png(24, trayLayers(state, false))]);
    files.push([`tray/linux/tray-${state}@2x.png`, png(48, trayLayers(state, false))]);
    files.push([
      `tray/win/tray-${state}.ico`,
      encodeIco(TRAY_ICO_SIZES.map((size) => ({ size, png: png(size, trayLayers(state, false)) }))),
    ]);
  }
  const app = appLayers();
  files.push(['icon.png', png(1024, app)]);
  files.push(['icon.ico', encodeIco(APP_ICO_SIZES.map((size) => ({ size, png: png(size, app) })))]);
  for (const size of LINUX_APP_SIZES) files.push([`icons/${size}x${size}.png`, png(size, app)]);
  return files;
}

async function main() {
  const at = process.argv.indexOf('--out');
  const out = at >= 0 ? path.resolve(process.argv[at + 1]) : path.join(ROOT, 'resources');
  for (const [name, bytes] of iconFiles()) {
    const file = path.join(out, name);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, bytes);
  }
  if (!process.argv.includes('--quiet')) process.stdout.write(`icons written to ${path.relative(process.cwd(), out) || '.'}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) await main();
