/**
 * Training checkpoints: `<out>/checkpoint/checkpoint.bin`, one file so that it is replaced atomically
 * (temp file + fsync + rename + fsync of the directory). Layout:
 *
 *   "TAFUCKPT"  u32 format version  u32 header length  header (JSON)  zero padding to 8  tensors (8-aligned)
 *
 * The header holds the position (step, epoch), every scalar of the run's state (RNG, task weighting, running
 * losses, optimiser step counts), the history so far, the config and data manifest it belongs to, the sha256 of
 * the tensor bytes, and for every typed array of the snapshot a `{ "$tensor": i }` reference into the tensor table.
 * Tensors: embedding table, adapters, distillation head, row-Adagrad accumulators, per-thread AdamW moments and the
 * mined hard negatives.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TafutaError } from '../../core/errors.js';
import type { TrainConfig } from './config.js';
import type { HardNegatives } from './hard-negatives.js';
import type { TrainSnapshot } from './trainer.js';
import { sha256Hex } from '../../core/hash.js';

export const CHECKPOINT_DIR = 'checkpoint';
export const CHECKPOINT_FILE = 'checkpoint.bin';
const MAGIC = 'TAFUCKPT';
const VERSION = 1;

/** What a checkpoint must agree on with the run that resumes it, and provenance carried into model.json. */
export interface CheckpointMeta {
  config: TrainConfig;
  data: { manifestSha256: string; files: Array<{ path: string; sha256: string; records: number }> };
  teacher: { dim: number } | null;
  /** Seconds of training in earlier sessions up to this checkpoint. */
  trainingSeconds: number;
  /** Every earlier resume: the step it continued from and when. */
  resumes: Array<{ step: number; at: string }>;
}

export interface CheckpointHeader extends CheckpointMeta {
  format: 'tafuta-train-checkpoint';
  version: number;
  createdAt: string;
  step: number;
  epoch: number;
  configSha256: string;
  tensors: Array<{ dtype: 'float32' | 'int32'; offset: number; length: number }>;
  tensorsSha256: string;
  /** The snapshot with typed arrays replaced by `{ $tensor: index }`. */
  snapshot: unknown;
}

export interface Checkpoint {
  header: CheckpointHeader;
  snapshot: TrainSnapshot;
}

export function checkpointFile(outDir: string): string {
  return path.join(outDir, CHECKPOINT_DIR, CHECKPOINT_FILE);
}

export function hasCheckpoint(outDir: string): boolean {
  return fs.existsSync(checkpointFile(outDir));
}

// --- the config a resumed run must match ---

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]));
  }
  return value;
}

/** The config minus the checkpoint settings (they do not change what is learnt), with sorted keys. */
function comparableConfig(config: TrainConfig): unknown {
  const { checkpoint: _ignored, ...train } = config.train;
  return canonical({ ...config, train });
}

export function configSha256(config: TrainConfig): string {
  return sha256Hex(JSON.stringify(comparableConfig(config)));
}

/** Leaf paths where two JSON values differ, as "a.b: old → new". */
function differences(before: unknown, after: unknown, at = ''): string[] {
  const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => differences(before[k], after[k], at ? `${at}.${k}` : k));
  }
  const a = JSON.stringify(before);
  const b = JSON.stringify(after);
  return a === b ? [] : [`${at || '(root)'}: ${a ?? 'absent'} → ${b ?? 'absent'}`];
}

const START_OVER = 'resume with the same settings, or delete the checkpoint to start over';

/** Throws unless the run about to resume has the checkpoint's config (checked before the data is even loaded). */
export function assertSameConfig(header: CheckpointHeader, config: TrainConfig, file: string): void {
  if (header.configSha256 === configSha256(config)) return;
  const changed = differences(comparableConfig(header.config), comparableConfig(config));
  throw new TafutaError('INVALID_ARGUMENT', `cannot resume from ${file}: the config differs from the one it was trained with (${changed.join('; ')}); ${START_OVER}`, {
    checkpoint: file, mismatch: 'config', differences: changed,
  });
}

/** Throws unless the data (sha256 of every file read) and the teacher are those of the checkpoint. */
export function assertSameData(header: CheckpointHeader, data: CheckpointMeta['data'], teacher: CheckpointMeta['teacher'], file: string): void {
  if (header.data.manifestSha256 !== data.manifestSha256) {
    const before = new Map(header.data.files.map((f) => [f.path, f.sha256]));
    const after = new Map(data.files.map((f) => [f.path, f.sha256]));
    const changed = [
      ...[...after.keys()].filter((p) => before.has(p) && before.get(p) !== after.get(p)).map((p) => `${p} changed`),
      ...[...after.keys()].filter((p) => !before.has(p)).map((p) => `${p} added`),
      ...[...before.keys()].filter((p) => !after.has(p)).map((p) => `${p} removed`),
    ];
    throw new TafutaError('INVALID_ARGUMENT', `cannot resume from ${file}: the training data differs from the data it was trained on (${changed.join('; ') || 'file order'}); ${START_OVER}`, {
      checkpoint: file, mismatch: 'data', differences: changed,
    });
  }
  if (JSON.stringify(header.teacher) !== JSON.stringify(teacher)) {
    const describe = (t: CheckpointMeta['teacher']) => (t ? `a ${t.dim}-d teacher` : 'no teacher');
    throw new TafutaError('INVALID_ARGUMENT', `cannot resume from ${file}: it was trained with ${describe(header.teacher)}, this run has ${describe(teacher)}; ${START_OVER}`, {
      checkpoint: file, mismatch: 'teacher',
    });
  }
}

// --- when to write one ---

export interface CheckpointSchedule {
  stepDue(step: number): boolean;
  nextStep(step: number): number;
  msUntilDue(): number;
  /** Restarts the clock (call after each checkpoint). */
  saved(): void;
}

/** Every `everySteps` steps, at epoch ends and `everyMinutes` after the last one; never at the last step. */
export function createCheckpointSchedule(
  policy: TrainConfig['train']['checkpoint'],
  run: { stepsPerEpoch: number; totalSteps: number },
  now: () => number = () => performance.now(),
): CheckpointSchedule {
  let last = now();
  const stepDue = (step: number) =>
    step < run.totalSteps &&
    ((policy.everySteps > 0 && step % policy.everySteps === 0) || (policy.epochEnd && step % run.stepsPerEpoch === 0));
  return {
    stepDue,
    nextStep(step) {
      const candidates = [
        policy.everySteps > 0 ? (Math.floor(step / policy.everySteps) + 1) * policy.everySteps : Infinity,
        policy.epochEnd ? (Math.floor(step / run.stepsPerEpoch) + 1) * run.stepsPerEpoch : Infinity,
      ];
      const next = Math.min(...candidates);
      return next < run.totalSteps ? next : Infinity;
    },
    msUntilDue: () => (policy.everyMinutes > 0 ? Math.max(0, last + policy.everyMinutes * 60_000 - now()) : Infinity),
    saved() {
      last = now();
    },
  };
}

// --- the file ---

type Tensor = Float32Array | Int32Array;

/** Hard negatives as four flat arrays (a Map of 50,000 small arrays would make a huge header). */
function packNegatives(negatives: HardNegatives | undefined) {
  if (!negatives) return null;
  const entries = [...negatives.candidates];
  const ends = new Int32Array(entries.length);
  let total = 0;
  entries.forEach(([, c], i) => (ends[i] = total += c.english.length));
  const english = new Int32Array(total);
  const sims = new Float32Array(total);
  entries.forEach(([, c], i) => {
    english.set(c.english, ends[i]! - c.english.length);
    sims.set(c.sims, ends[i]! - c.english.length);
  });
  return { pairs: Int32Array.from(entries, ([pair]) => pair), ends, english, sims };
}

function unpackNegatives(packed: ReturnType<typeof packNegatives>): HardNegatives | undefined {
  if (!packed) return undefined;
  const candidates: HardNegatives['candidates'] = new Map();
  packed.pairs.forEach((pair, i) => {
    const start = i ? packed.ends[i - 1]! : 0;
    candidates.set(pair, { english: packed.english.slice(start, packed.ends[i]), sims: packed.sims.slice(start, packed.ends[i]) });
  });
  return { candidates };
}

function fsyncPath(file: string): void {
  const fd = fs.openSync(file, 'r');
  try {
    fs.fsyncSync(fd);
  } catch {
    // Some filesystems refuse fsync on directories; the rename is still atomic.
  } finally {
    fs.closeSync(fd);
  }
}

const align8 = (n: number) => Math.ceil(n / 8) * 8;
const bytesOf = (t: Tensor) => new Uint8Array(t.buffer, t.byteOffset, t.byteLength);

/** Writes the snapshot atomically; returns the file written. */
export function writeCheckpoint(outDir: string, snapshot: TrainSnapshot, meta: CheckpointMeta, stepsPerEpoch: number): string {
  if (os.endianness() !== 'LE') throw new Error('checkpoints are written on little-endian machines only');
  const tensors: Tensor[] = [];
  const replacer = (_key: string, value: unknown) => {
    if (value instanceof Float32Array || value instanceof Int32Array) return { $tensor: tensors.push(value) - 1 };
    return value;
  };
  const { negatives, ...rest } = snapshot;
  const body = JSON.stringify({ ...rest, negatives: packNegatives(negatives) }, replacer);
  const table: CheckpointHeader['tensors'] = [];
  const hash = crypto.createHash('sha256');
  let offset = 0;
  for (const t of tensors) {
    table.push({ dtype: t instanceof Float32Array ? 'float32' : 'int32', offset, length: t.length });
    hash.update(bytesOf(t));
    hash.update(new Uint8Array(align8(t.byteLength) - t.byteLength));
    offset += align8(t.byteLength);
  }
  const header: Omit<CheckpointHeader, 'snapshot'> = {
    format: 'tafuta-train-checkpoint',
    version: VERSION,
    createdAt: new Date().toISOString(),
    step: snapshot.step,
    epoch: snapshot.step / stepsPerEpoch,
    configSha256: configSha256(meta.config),
    ...meta,
    tensors: table,
    tensorsSha256: hash.digest('hex'),
  };
  // The snapshot's JSON goes in as is (not re-parsed), so only the header's own keys are serialised here.
  const headerBytes = Buffer.from(`${JSON.stringify(header).slice(0, -1)},"snapshot":${body}}`, 'utf8');
  const prefix = Buffer.alloc(align8(16 + headerBytes.length));
  prefix.write(MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(VERSION, 8);
  prefix.writeUInt32LE(headerBytes.length, 12);
  headerBytes.copy(prefix, 16);

  const dir = path.join(outDir, CHECKPOINT_DIR);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, CHECKPOINT_FILE);
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, prefix);
    for (const t of tensors) {
      fs.writeSync(fd, bytesOf(t));
      const pad = align8(t.byteLength) - t.byteLength;
      if (pad) fs.writeSync(fd, new Uint8Array(pad));
    }
    fs.fsyncSync(fd);
  } catch (error) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw error;
  }
  fs.closeSync(fd);
  fs.renameSync(tmp, file);
  fsyncPath(dir);
  return file;
}

function corrupt(file: string, why: string): TafutaError {
  return new TafutaError('INPUT_FILE', `${file} is not a usable training checkpoint (${why}); delete it to start over`, { checkpoint: file });
}

function readPrefix(fd: number, file: string): { headerLength: number } {
  const prefix = Buffer.alloc(16);
  if (fs.readSync(fd, prefix, 0, 16, 0) < 16 || prefix.toString('latin1', 0, 8) !== MAGIC) throw corrupt(file, 'not a checkpoint file');
  const version = prefix.readUInt32LE(8);
  if (version !== VERSION) throw corrupt(file, `format version ${version}, this tafuta reads ${VERSION}`);
  return { headerLength: prefix.readUInt32LE(12) };
}

/** The header alone (cheap: the config can be checked before the tensors or the training data are read). */
export function readCheckpointHeader(file: string): CheckpointHeader {
  const fd = fs.openSync(file, 'r');
  try {
    const { headerLength } = readPrefix(fd, file);
    const bytes = Buffer.alloc(headerLength);
    if (fs.readSync(fd, bytes, 0, headerLength, 16) < headerLength) throw corrupt(file, 'truncated header');
    return JSON.parse(bytes.toString('utf8')) as CheckpointHeader;
  } catch (error) {
    if (error instanceof SyntaxError) throw corrupt(file, 'unreadable header');
    throw error;
  } finally {
    fs.closeSync(fd);
  }
}

export function readCheckpoint(file: string): Checkpoint {
  const header = readCheckpointHeader(file);
  const bytes = fs.readFileSync(file);
  const start = align8(16 + bytes.readUInt32LE(12));
  const end = start + header.tensors.reduce((n, t) => n + align8(t.length * 4), 0);
  if (bytes.length !== end) throw corrupt(file, `${bytes.length} bytes, expected ${end}`);
  const data = bytes.subarray(start);
  if (sha256Hex(data) !== header.tensorsSha256) throw corrupt(file, 'checksum mismatch');
  const tensors = header.tensors.map(({ dtype, offset, length }) => {
    const t = dtype === 'float32' ? new Float32Array(length) : new Int32Array(length);
    bytesOf(t).set(data.subarray(offset, offset + length * 4)); // a copy: the file buffer need not be aligned
    return t;
  });
  const revive = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(revive);
    if (value && typeof value === 'object') {
      const index = (value as { $tensor?: number }).$tensor;
      if (typeof index === 'number') return tensors[index];
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revive(v)]));
    }
    return value;
  };
  const raw = revive(header.snapshot) as Omit<TrainSnapshot, 'negatives'> & { negatives: ReturnType<typeof packNegatives> };
  return { header, snapshot: { ...raw, negatives: unpackNegatives(raw.negatives) } };
}
