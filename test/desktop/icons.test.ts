// The committed icons in resources/: valid PNG/ICO files of the documented sizes, one per tray
// state and platform, macOS template images in black + alpha only, and exactly what
// scripts/make-icons.mjs draws today (regenerated into a temp folder and compared pixel by pixel).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trayIconPath } from '../../src-main/desktop/tray.ts';
import { TRAY_ICONS } from '../../src-main/desktop/tray-state.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const RES = path.join(ROOT, 'resources');

interface Png {
  width: number;
  height: number;
  rgba: Buffer;
}

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

/** Decodes the PNGs this project writes (8-bit RGBA, no interlace), checking every chunk's CRC. */
function decodePng(bytes: Buffer): Png {
  expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  let offset = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  for (;;) {
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString('ascii', offset + 4, offset + 8);
    const data = bytes.subarray(offset + 8, offset + 8 + length);
    expect(bytes.readUInt32BE(offset + 8 + length), `${type} CRC`).toBe(crc32(bytes.subarray(offset + 4, offset + 8 + length)));
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect([...data.subarray(8)]).toEqual([8, 6, 0, 0, 0]);
    } else if (type === 'IDAT') idat.push(data);
    offset += 12 + length;
    if (type === 'IEND') break;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const rgba = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 4 + 1);
    expect(raw[row], 'filter type').toBe(0);
    raw.copy(rgba, y * width * 4, row + 1, row + 1 + width * 4);
  }
  return { width, height, rgba };
}

/** The images inside an .ico: [size, PNG] per directory entry. */
function icoEntries(bytes: Buffer): { size: number; png: Png }[] {
  expect(bytes.readUInt16LE(0)).toBe(0);
  expect(bytes.readUInt16LE(2)).toBe(1);
  const count = bytes.readUInt16LE(4);
  return Array.from({ length: count }, (_, i) => {
    const e = 6 + i * 16;
    const size = bytes[e] === 0 ? 256 : bytes[e]!;
    const png = decodePng(bytes.subarray(bytes.readUInt32LE(e + 12), bytes.readUInt32LE(e + 12) + bytes.readUInt32LE(e + 8)));
    expect(png.width).toBe(size);
    return { size, png };
  });
}

const read = async (rel: string, base = RES) => readFile(path.join(base, rel));

describe('committed icons', () => {
  it('every tray state has its icon on every platform, where the tray looks for it', () => {
    for (const platform of ['darwin', 'win32', 'linux'] as const) {
      for (const state of TRAY_ICONS) expect(existsSync(trayIconPath(RES, platform, state)), `${platform} ${state}`).toBe(true);
    }
    for (const state of TRAY_ICONS) {
      expect(existsSync(path.join(RES, `tray/mac/tray-${state}Template@2x.png`))).toBe(true);
      expect(existsSync(path.join(RES, `tray/linux/tray-${state}@2x.png`))).toBe(true);
    }
  });

  it('macOS template images are 16 and 32 px, black with alpha only', async () => {
    for (const state of TRAY_ICONS) {
      for (const [name, size] of [
        [`tray-${state}Template.png`, 16],
        [`tray-${state}Template@2x.png`, 32],
      ] as const) {
        const png = decodePng(await read(`tray/mac/${name}`));
        expect([png.width, png.height]).toEqual([size, size]);
        let opaque = 0;
        for (let i = 0; i < png.rgba.length; i += 4) {
          if (png.rgba[i + 3]! > 0) opaque++;
          expect([png.rgba[i], png.rgba[i + 1], png.rgba[i + 2]]).toEqual([0, 0, 0]);
        }
        expect(opaque).toBeGreaterThan(size * size * 0.1);
      }
    }
  });

  it('the four states are four different pictures', async () => {
    const pictures = await Promise.all(
      TRAY_ICONS.map(async (state) => decodePng(await read(`tray/linux/tray-${state}.png`)).rgba.toString('base64')),
    );
    expect(new Set(pictures).size).toBe(4);
  });

  it('Windows tray icons hold 16–48 px images; the app icon goes up to 256 px', async () => {
    for (const state of TRAY_ICONS)
      expect(icoEntries(await read(`tray/win/tray-${state}.ico`)).map((e) => e.size)).toEqual([16, 20, 24, 32, 40, 48]);
    expect(icoEntries(await read('icon.ico')).map((e) => e.size)).toEqual([16, 24, 32, 48, 64, 128, 256]);
  });

  it('the app icon is 1024 px (electron-builder makes the .icns from it) with Linux sizes beside it', async () => {
    expect(decodePng(await read('icon.png')).width).toBe(1024);
    for (const size of [16, 32, 48, 64, 128, 256, 512]) expect(decodePng(await read(`icons/${size}x${size}.png`)).width).toBe(size);
  });
});

describe('scripts/make-icons.mjs', () => {
  let out: string;
  beforeAll(async () => {
    out = await mkdtemp(path.join(os.tmpdir(), 'sb-icons-'));
    const run = spawnSync(process.execPath, ['scripts/make-icons.mjs', '--out', out, '--quiet'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 180_000,
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  }, 200_000);
  afterAll(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it('draws exactly the committed PNGs (rerun it after changing the drawing)', async () => {
    const pngs = [
      ...TRAY_ICONS.flatMap((s) => [
        `tray/mac/tray-${s}Template.png`,
        `tray/mac/tray-${s}Template@2x.png`,
        `tray/linux/tray-${s}.png`,
        `tray/linux/tray-${s}@2x.png`,
      ]),
      'icon.png',
      'icons/256x256.png',
    ];
    for (const rel of pngs) expect(decodePng(await read(rel, out)).rgba.equals(decodePng(await read(rel)).rgba), rel).toBe(true);
  });

  it('draws exactly the committed .ico files', async () => {
    for (const rel of [...TRAY_ICONS.map((s) => `tray/win/tray-${s}.ico`), 'icon.ico']) {
      const fresh = icoEntries(await read(rel, out));
      const committed = icoEntries(await read(rel));
      expect(fresh.map((e) => e.size)).toEqual(committed.map((e) => e.size));
      fresh.forEach((e, i) => expect(e.png.rgba.equals(committed[i]!.png.rgba), `${rel} ${e.size}px`).toBe(true));
    }
  });
});
