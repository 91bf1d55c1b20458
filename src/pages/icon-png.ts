/**
 * @module
 * The site icon as a PNG, for the fediverse actors' `icon`: Mastodon takes an avatar only in a
 * raster format (PNG, JPEG, GIF, WebP, AVIF), never SVG, so the SVG icon would leave the accounts
 * faceless. The design of ICON_SVG (a white "H" on the accent colour, rounded corners; the
 * letter drawn as three bars, without serifs) at 256 px, encoded on first request, once per
 * isolate: PNG is a zlib stream of scanlines (CompressionStream's "deflate") in CRC-checked chunks.
 */

const SIZE = 256
const ACCENT = [0x9b, 0x1c, 0x1c] as const

/** Whether pixel (x, y) is part of the letter: two stems and a crossbar. */
function inLetter(x: number, y: number): boolean {
  const top = 60
  const bottom = 196
  if (y < top || y >= bottom) return false
  const stem = (x >= 72 && x < 104) || (x >= 152 && x < 184)
  const bar = x >= 72 && x < 184 && y >= 114 && y < 142
  return stem || bar
}

/** Whether pixel (x, y) is inside the square with corners rounded at radius 48. */
function inSquare(x: number, y: number): boolean {
  const r = 48
  const cx = x < r ? r : x >= SIZE - r ? SIZE - r - 1 : x
  const cy = y < r ? r : y >= SIZE - r ? SIZE - r - 1 : y
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r
}

/** RGBA scanlines, each after its filter byte (0: none). */
function scanlines(): Uint8Array<ArrayBuffer> {
  const row = 1 + SIZE * 4
  const out = new Uint8Array(row * SIZE)
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const at = y * row + 1 + x * 4
      if (!inSquare(x, y)) continue // transparent
      const [r, g, b] = inLetter(x, y) ? [255, 255, 255] : ACCENT
      out.set([r, g, b, 255], at)
    }
  }
  return out
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length)
  const view = new DataView(out.buffer)
  view.setUint32(0, data.length)
  out.set(new TextEncoder().encode(type), 4)
  out.set(data, 8)
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)))
  return out
}

async function deflate(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream('deflate'))
  return new Uint8Array(await new Response(stream).arrayBuffer())
}

async function encode(): Promise<Uint8Array<ArrayBuffer>> {
  const header = new Uint8Array(13)
  const view = new DataView(header.buffer)
  view.setUint32(0, SIZE)
  view.setUint32(4, SIZE)
  header.set([8, 6, 0, 0, 0], 8) // 8 bits a channel, RGBA, deflate, adaptive filtering, no interlace
  const parts = [new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', await deflate(scanlines())), chunk('IEND', new Uint8Array())]
  const png = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    png.set(p, at)
    at += p.length
  }
  return png
}

let made: Promise<Uint8Array<ArrayBuffer>> | undefined

/** The PNG icon's bytes, encoded on first use. */
export function iconPng(): Promise<Uint8Array<ArrayBuffer>> {
  made ??= encode()
  made.catch(() => (made = undefined))
  return made
}

export const ICON_PNG_SIZE = SIZE
