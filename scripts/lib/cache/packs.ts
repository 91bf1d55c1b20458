/**
 * Story records on disk: append-only pack files of one JSON record per line (JSON.stringify
 * escapes every line break, so a line is a record), read back by offset. One pack per writer, so
 * build threads append without sharing a file; the store (store.ts) compacts them.
 */
import { closeSync, openSync, readSync, writeSync } from 'node:fs'
import { join } from 'node:path'

/** Where a record is: pack name, byte offset and length. */
export interface Place {
  pack: string
  offset: number
  length: number
}

const FLUSH = 1 << 20

export class PackWriter {
  readonly pack: string
  readonly #path: string
  #fd: number | undefined
  #offset = 0
  #pending: Buffer[] = []
  #pendingBytes = 0

  constructor(dir: string, pack: string) {
    this.pack = pack
    this.#path = join(dir, pack)
  }

  append(record: string): Place {
    const bytes = Buffer.from(`${record}\n`)
    const place = { pack: this.pack, offset: this.#offset, length: bytes.length - 1 }
    this.#offset += bytes.length
    this.#pending.push(bytes)
    this.#pendingBytes += bytes.length
    if (this.#pendingBytes >= FLUSH) this.flush()
    return place
  }

  flush(): void {
    if (this.#pendingBytes === 0) return
    // Opened on the first record: a writer that gets none leaves no empty pack behind.
    this.#fd ??= openSync(this.#path, 'a')
    writeSync(this.#fd, Buffer.concat(this.#pending, this.#pendingBytes))
    this.#pending = []
    this.#pendingBytes = 0
  }

  close(): void {
    this.flush()
    if (this.#fd !== undefined) closeSync(this.#fd)
  }
}

export class PackReader {
  readonly #dir: string
  readonly #fds = new Map<string, number>()
  #buffer = Buffer.alloc(64 * 1024)

  constructor(dir: string) {
    this.#dir = dir
  }

  read(place: Place): string {
    if (this.#buffer.length < place.length) this.#buffer = Buffer.alloc(place.length * 2)
    this.readInto(place, this.#buffer, 0)
    return this.#buffer.toString('utf8', 0, place.length)
  }

  /** Copies the record's UTF-8 bytes into `into` at `at` (no string made). */
  readInto(place: Place, into: Uint8Array, at: number): void {
    let fd = this.#fds.get(place.pack)
    if (fd === undefined) this.#fds.set(place.pack, (fd = openSync(join(this.#dir, place.pack), 'r')))
    const got = readSync(fd, into, at, place.length, place.offset)
    if (got !== place.length) throw new Error(`build cache: ${place.pack} is shorter than its index says; delete .herald/cache/ and build again`)
  }

  close(): void {
    for (const fd of this.#fds.values()) closeSync(fd)
    this.#fds.clear()
  }
}
