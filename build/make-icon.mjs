// Draws the app icon (build/icon.png, 512×512 RGBA) with nothing but zlib: a blue rounded
// square holding a white vault door. Run once; the PNG is committed.
//   node build/make-icon.mjs [out.png]

import { deflateSync } from 'node:zlib';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SIZE = 512;

/** CRC-32 as PNG chunks need it. */
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

export function encodePng(width, height, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type RGBA
  // Each scanline is prefixed with filter type 0 (none).
  const raw = Buffer.alloc(height * (width * 4 + 1));
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0;
    rgba.copy(raw, y * (width * 4 + 1) + 1, y * width * 4, (y + 1) * width * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Coverage in [0,1] of a pixel by a shape, by 4×4 supersampling (smooth edges). */
function coverage(x, y, inside) {
  let hits = 0;
  for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) if (inside(x + (i + 0.5) / 4, y + (j + 0.5) / 4)) hits++;
  return hits / 16;
}

function drawIcon() {
  const px = Buffer.alloc(SIZE * SIZE * 4);
  const c = SIZE / 2;
  const margin = 24;
  const radius = 96;
  const inRoundedSquare = (x, y) => {
    const dx = Math.max(margin + radius - x, 0, x - (SIZE - margin - radius));
    const dy = Math.max(margin + radius - y, 0, y - (SIZE - margin - radius));
    return x >= margin && x <= SIZE - margin && y >= margin && y <= SIZE - margin && dx * dx + dy * dy <= radius * radius;
  };
  const dist = (x, y) => Math.hypot(x - c, y - c);
  const inRing = (x, y) => dist(x, y) <= 170 && dist(x, y) >= 138;
  const inHub = (x, y) => dist(x, y) <= 40;
  // Three spokes of the door's wheel, 120° apart.
  const inSpoke = (x, y) => {
    const d = dist(x, y);
    if (d < 30 || d > 120) return false;
    const angle = Math.atan2(y - c, x - c);
    return [Math.PI / 2, Math.PI / 2 + (2 * Math.PI) / 3, Math.PI / 2 - (2 * Math.PI) / 3].some((a) => {
      const delta = Math.atan2(Math.sin(angle - a), Math.cos(angle - a));
      return Math.abs(Math.sin(delta) * d) <= 12 && Math.cos(delta) > 0;
    });
  };
  const inDoor = (x, y) => inRing(x, y) || inHub(x, y) || inSpoke(x, y);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const bg = coverage(x, y, inRoundedSquare);
      const fg = coverage(x, y, inDoor);
      // Background: vertical blue gradient; foreground white blended over it.
      const t = y / SIZE;
      const base = [Math.round(30 + 10 * t), Math.round(90 - 30 * t), Math.round(200 - 50 * t)];
      const o = (y * SIZE + x) * 4;
      for (let k = 0; k < 3; k++) px[o + k] = Math.round(base[k] * (1 - fg) + 255 * fg);
      px[o + 3] = Math.round(255 * bg);
    }
  }
  return encodePng(SIZE, SIZE, px);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), 'icon.png');
  writeFileSync(out, drawIcon());
  console.log(`wrote ${out}`);
}
