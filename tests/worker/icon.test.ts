/**
 * The PNG icon the fediverse actors name (Mastodon takes no SVG avatar): a valid PNG, read here
 * chunk by chunk, its scanlines inflated, the letter and the corners where they are drawn.
 */
import { describe, expect, it } from 'vitest'
import { get } from '../helpers/worker'

function chunks(png: Uint8Array): { type: string; data: Uint8Array; crc: number }[] {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength)
  const out = []
  for (let at = 8; at < png.length; ) {
    const length = view.getUint32(at)
    out.push({ type: new TextDecoder().decode(png.subarray(at + 4, at + 8)), data: png.subarray(at + 8, at + 8 + length), crc: view.getUint32(at + 8 + length) })
    at += 12 + length
  }
  return out
}

describe('/icon.png', () => {
  it('is a 256 px RGBA PNG of the accent square with a white letter and transparent corners', async () => {
    const res = await get('/icon.png')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('image/png')
    const png = new Uint8Array(await res.arrayBuffer())
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
    const parts = chunks(png)
    expect(parts.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND'])
    // IEND's CRC is the same in every PNG: the checksum is computed as the spec says.
    expect(parts[2]!.crc).toBe(0xae426082)
    const ihdr = new DataView(parts[0]!.data.buffer, parts[0]!.data.byteOffset, 13)
    expect([ihdr.getUint32(0), ihdr.getUint32(4), ihdr.getUint8(8), ihdr.getUint8(9)]).toEqual([256, 256, 8, 6])
    const raw = new Uint8Array(await new Response(new Blob([parts[1]!.data]).stream().pipeThrough(new DecompressionStream('deflate'))).arrayBuffer())
    const row = 1 + 256 * 4
    expect(raw.length).toBe(256 * row)
    const pixel = (x: number, y: number) => [...raw.subarray(y * row + 1 + x * 4, y * row + 5 + x * 4)]
    expect(pixel(0, 0)).toEqual([0, 0, 0, 0])
    expect(pixel(88, 128)).toEqual([255, 255, 255, 255])
    expect(pixel(128, 30)).toEqual([0x9b, 0x1c, 0x1c, 255])
  })
})
