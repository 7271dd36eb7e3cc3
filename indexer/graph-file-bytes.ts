/**
 * A graph file's bytes read front to back, CHUNK_BYTES at a time, each chunk hashed as it is read: the structural
 * checks (usearch-file.ts, hnsw-file.ts) read through ForwardBytes at offsets that only move forward, so a check
 * holds one chunk of the file, not all of it (≈ 630 MiB at 1M passages), and reads it once for both the check and
 * the checksum.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { CHUNK_BYTES } from '../core/hash.js';

/** What the structural checks read: a Buffer is one; so is HashedFileBytes, as long as offsets only move forward. */
export interface ForwardBytes {
  readonly length: number;
  readUInt8(offset: number): number;
  readUInt16LE(offset: number): number;
  readInt16LE(offset: number): number;
  readUInt32LE(offset: number): number;
  readInt32LE(offset: number): number;
  readBigUInt64LE(offset: number): bigint;
  toString(encoding: 'latin1', start: number, end: number): string;
  /** The bytes from `start` to `end` as a Buffer of their own (a region that must be read in another order). */
  subarray(start: number, end: number): Buffer;
}

/** The largest single read: a region copied out (`subarray`) is read this much at a time. */
const LARGEST_READ = CHUNK_BYTES / 2;

export class HashedFileBytes implements ForwardBytes {
  readonly length: number;
  private readonly fd: number;
  private readonly hash = crypto.createHash('sha256');
  private readonly window = Buffer.allocUnsafe(CHUNK_BYTES);
  /** File offsets of the window's first byte and of the byte after its last. */
  private windowStart = 0;
  private windowEnd = 0;

  /** Reads the open file `fd` of `length` bytes; the caller closes it. */
  constructor(fd: number, length: number) {
    this.fd = fd;
    this.length = length;
  }

  readUInt8(offset: number): number {
    return this.window.readUInt8(this.at(offset, 1));
  }

  readUInt16LE(offset: number): number {
    return this.window.readUInt16LE(this.at(offset, 2));
  }

  readInt16LE(offset: number): number {
    return this.window.readInt16LE(this.at(offset, 2));
  }

  readUInt32LE(offset: number): number {
    return this.window.readUInt32LE(this.at(offset, 4));
  }

  readInt32LE(offset: number): number {
    return this.window.readInt32LE(this.at(offset, 4));
  }

  readBigUInt64LE(offset: number): bigint {
    return this.window.readBigUInt64LE(this.at(offset, 8));
  }

  toString(encoding: 'latin1', start: number, end: number): string {
    const at = this.at(start, end - start);
    return this.window.toString(encoding, at, at + end - start);
  }

  subarray(start: number, end: number): Buffer {
    const bytes = Buffer.allocUnsafe(end - start);
    for (let from = start; from < end; from += LARGEST_READ) {
      const n = Math.min(LARGEST_READ, end - from);
      const at = this.at(from, n);
      this.window.copy(bytes, from - start, at, at + n);
    }
    return bytes;
  }

  /** Reads (and hashes) whatever the checks did not, and returns the file's sha256 in hex. */
  sha256(): string {
    if (this.windowEnd < this.length) this.advance(this.length, 0);
    return this.hash.digest('hex');
  }

  /** Where the `n` bytes at file offset `offset` are in the window, after reading up to them. */
  private at(offset: number, n: number): number {
    if (offset < this.windowStart) throw new Error(`read at ${offset}, behind the bytes already passed (${this.windowStart})`);
    if (offset + n > this.length) throw new RangeError(`read of ${n} bytes at ${offset}, past the end (${this.length})`);
    if (offset + n > this.windowEnd) this.advance(offset, n);
    return offset - this.windowStart;
  }

  /** Moves the window to start at `offset` and hold at least `n` bytes; bytes skipped are read and hashed, not kept. */
  private advance(offset: number, n: number): void {
    if (offset >= this.windowEnd) {
      while (this.windowEnd < offset) {
        this.windowStart = this.windowEnd;
        this.fill(0, Math.min(CHUNK_BYTES, offset - this.windowEnd));
      }
      this.windowStart = this.windowEnd;
    } else {
      this.window.copy(this.window, 0, offset - this.windowStart, this.windowEnd - this.windowStart);
      this.windowStart = offset;
    }
    while (this.windowEnd < offset + n) {
      const held = this.windowEnd - this.windowStart;
      this.fill(held, Math.min(CHUNK_BYTES - held, this.length - this.windowEnd));
    }
  }

  /** Reads up to `max` bytes at the window's end into the window at `into`, and hashes them. */
  private fill(into: number, max: number): void {
    const read = fs.readSync(this.fd, this.window, into, max, this.windowEnd);
    if (read === 0) throw new Error('the file ended before its size (changed while it was read)');
    this.hash.update(this.window.subarray(into, into + read));
    this.windowEnd += read;
  }
}
