import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Teacher } from './teacher.js';
import { TafutaError } from '../../core/errors.js';

/**
 * On disk: `vectors.f32` holds rows of `dim` little-endian float32; `index.sha1` holds one 20-byte
 * SHA-1 of the UTF-8 text per row, in the same order; `meta.json` describes both. Both data files
 * are append-only and the index is appended (and fsynced) only after its vectors, so after a crash
 * the valid prefix is the shorter of the two, cut to whole rows.
 */
export const TEACHER_CACHE_FORMAT = 'tafuta-teacher-cache';
export const TEACHER_CACHE_VERSION = 1;
export const CACHE_FILES = { meta: 'meta.json', vectors: 'vectors.f32', index: 'index.sha1' } as const;
const KEY_BYTES = 20;

export interface TeacherCacheMeta {
  format: typeof TEACHER_CACHE_FORMAT;
  version: number;
  teacher: string;
  dim: number;
  count: number;
  key: 'sha1-utf8';
  dtype: 'float32le';
}

export interface TeacherCacheOptions {
  /** Texts per `teacher.embed` call, and per append to disk. */
  batchSize?: number;
}

export interface GetManyOptions {
  /** After each appended batch: texts embedded so far in this call, and how many it must embed. */
  onBatch?: (embedded: number, toEmbed: number) => void;
}

export interface TeacherCache {
  readonly dir: string;
  readonly teacher: Teacher;
  /** Rows held (and on disk). */
  readonly size: number;
  /** Bytes cut from torn tails when the cache was opened. */
  readonly recovered: { vectorBytes: number; indexBytes: number };
  /** Vectors for `texts` in order, embedding (in batches) and persisting only those not cached. Views: do not mutate. */
  getMany(texts: readonly string[], options?: GetManyOptions): Promise<Float32Array[]>;
  lookup(text: string): Float32Array | undefined;
  /** Row of `text` in `vectors.f32`, for consumers that read the file directly. */
  rowOf(text: string): number | undefined;
  /** Distinct texts among `texts` that are not cached yet. */
  countMissing(texts: readonly string[]): number;
  close(): Promise<void>;
}

export function textKey(text: string): string {
  return createHash('sha1').update(text, 'utf8').digest('hex');
}

async function sizeOf(file: string): Promise<number> {
  try {
    return (await fs.stat(file)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
}

async function writeMeta(dir: string, meta: TeacherCacheMeta): Promise<void> {
  const file = path.join(dir, CACHE_FILES.meta);
  await fs.writeFile(`${file}.tmp`, `${JSON.stringify(meta, null, 2)}\n`);
  await fs.rename(`${file}.tmp`, file);
}

async function readMeta(dir: string, teacher: Teacher): Promise<TeacherCacheMeta | undefined> {
  let raw: string;
  try {
    raw = await fs.readFile(path.join(dir, CACHE_FILES.meta), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const meta = JSON.parse(raw) as Partial<TeacherCacheMeta>;
  const where = `teacher cache ${dir}`;
  if (meta.format !== TEACHER_CACHE_FORMAT || meta.version !== TEACHER_CACHE_VERSION)
    throw new TafutaError('INPUT_FILE', `${where}: unsupported format ${meta.format} v${meta.version} (expected ${TEACHER_CACHE_FORMAT} v${TEACHER_CACHE_VERSION})`);
  if (meta.teacher !== teacher.name || meta.dim !== teacher.dim)
    throw new TafutaError(
      'INPUT_FILE',
      `${where} holds vectors of teacher "${meta.teacher}" (dim ${meta.dim}), not "${teacher.name}" (dim ${teacher.dim}); ` +
        'use another cache directory or delete this one',
    );
  return meta as TeacherCacheMeta;
}

/** Opens (creating if needed) the cache in `dir`, dropping any torn trailing row. Single writer per directory. */
export async function openTeacherCache(dir: string, teacher: Teacher, options: TeacherCacheOptions = {}): Promise<TeacherCache> {
  if (os.endianness() !== 'LE') throw new Error('teacher cache files are little-endian; big-endian hosts are not supported');
  const batchSize = options.batchSize ?? 1024;
  const dim = teacher.dim;
  const rowBytes = dim * 4;
  const vectorsFile = path.join(dir, CACHE_FILES.vectors);
  const indexFile = path.join(dir, CACHE_FILES.index);
  await fs.mkdir(dir, { recursive: true });

  const [vectorBytes, indexBytes] = await Promise.all([sizeOf(vectorsFile), sizeOf(indexFile)]);
  const meta = await readMeta(dir, teacher);
  if (!meta && (vectorBytes || indexBytes)) throw new TafutaError('INPUT_FILE', `teacher cache ${dir}: data files without ${CACHE_FILES.meta}; delete the directory`);

  const count = Math.min(Math.floor(vectorBytes / rowBytes), Math.floor(indexBytes / KEY_BYTES));
  const recovered = { vectorBytes: vectorBytes - count * rowBytes, indexBytes: indexBytes - count * KEY_BYTES };
  if (recovered.vectorBytes) await fs.truncate(vectorsFile, count * rowBytes);
  if (recovered.indexBytes) await fs.truncate(indexFile, count * KEY_BYTES);

  const rows = new Map<string, number>();
  const vectors: Float32Array[] = [];
  if (count) {
    const [vecBuf, keyBuf] = await Promise.all([fs.readFile(vectorsFile), fs.readFile(indexFile)]);
    const all = vecBuf.byteOffset % 4 === 0
      ? new Float32Array(vecBuf.buffer, vecBuf.byteOffset, count * dim)
      : new Float32Array(vecBuf.buffer.slice(vecBuf.byteOffset, vecBuf.byteOffset + count * rowBytes));
    for (let row = 0; row < count; row++) {
      const key = keyBuf.toString('hex', row * KEY_BYTES, (row + 1) * KEY_BYTES);
      if (!rows.has(key)) rows.set(key, row);
      vectors.push(all.subarray(row * dim, (row + 1) * dim));
    }
  }
  const metaFor = (n: number): TeacherCacheMeta => ({
    format: TEACHER_CACHE_FORMAT, version: TEACHER_CACHE_VERSION, teacher: teacher.name, dim, count: n, key: 'sha1-utf8', dtype: 'float32le',
  });
  if (!meta || meta.count !== count) await writeMeta(dir, metaFor(count));

  let vecHandle: FileHandle | undefined;
  let keyHandle: FileHandle | undefined;
  let closed = false;

  async function append(keys: string[], batch: Float32Array[]): Promise<void> {
    if (batch.length !== keys.length) throw new Error(`teacher ${teacher.name} returned ${batch.length} vectors for ${keys.length} texts`);
    const block = new Float32Array(keys.length * dim);
    batch.forEach((v, i) => {
      if (v.length !== dim) throw new Error(`teacher ${teacher.name} returned a ${v.length}-d vector, expected ${dim}`);
      if (!v.every(Number.isFinite)) throw new Error(`teacher ${teacher.name} returned a non-finite vector`);
      block.set(v, i * dim);
    });
    try {
      vecHandle ??= await fs.open(vectorsFile, 'a');
      keyHandle ??= await fs.open(indexFile, 'a');
      await vecHandle.write(new Uint8Array(block.buffer));
      await vecHandle.datasync();
      await keyHandle.write(Buffer.from(keys.join(''), 'hex'));
      await keyHandle.datasync();
    } catch (error) {
      // The files may now disagree on their row count; reopening trims them back into step.
      closed = true;
      throw error;
    }
    keys.forEach((key, i) => {
      rows.set(key, vectors.length);
      vectors.push(block.subarray(i * dim, (i + 1) * dim));
    });
    await writeMeta(dir, metaFor(vectors.length));
  }

  // Calls run one after another so concurrent getMany calls never interleave appends.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(task: () => Promise<T>): Promise<T> => {
    const run = queue.then(task);
    queue = run.catch(() => undefined);
    return run;
  };

  const missing = (texts: readonly string[]): Map<string, string> => {
    const todo = new Map<string, string>();
    for (const text of texts) {
      const key = textKey(text);
      if (!rows.has(key)) todo.set(key, text);
    }
    return todo;
  };

  return {
    dir,
    teacher,
    get size() {
      return vectors.length;
    },
    recovered,
    getMany(texts, getOptions = {}) {
      return serial(async () => {
        if (closed) throw new Error(`teacher cache ${dir} is closed (reopen it after a failed write)`);
        const todo = [...missing(texts)];
        for (let start = 0; start < todo.length; start += batchSize) {
          const slice = todo.slice(start, start + batchSize);
          await append(slice.map(([key]) => key), await teacher.embed(slice.map(([, text]) => text)));
          getOptions.onBatch?.(start + slice.length, todo.length);
        }
        return texts.map((text) => vectors[rows.get(textKey(text))!]!);
      });
    },
    lookup(text) {
      const row = rows.get(textKey(text));
      return row === undefined ? undefined : vectors[row];
    },
    rowOf: (text) => rows.get(textKey(text)),
    countMissing: (texts) => missing(texts).size,
    close() {
      return serial(async () => {
        closed = true;
        await Promise.all([vecHandle?.close(), keyHandle?.close()]);
        vecHandle = keyHandle = undefined;
      });
    },
  };
}
