import fs from 'node:fs/promises';
import path from 'node:path';
import cliProgress from 'cli-progress';
import { readJsonl } from '../../core/jsonl.js';
import { CACHE_FILES, openTeacherCache } from './cache.js';
import { createUseLiteTeacher, type Teacher } from './teacher.js';

export interface TeacherProgress {
  done: number;
  total: number;
  /** Sentences per second since embedding started. */
  rate: number;
  etaSeconds: number;
}

export interface BuildTeacherCacheOptions {
  trainDir?: string;
  cacheDir?: string;
  batchSize?: number;
  /** Defaults to USE-Lite. */
  teacher?: Teacher;
  /** Leave out pairs flagged `short` (fewer than two English words). */
  skipShort?: boolean;
  onProgress?: (progress: TeacherProgress) => void;
}

export interface BuildTeacherCacheResult {
  teacher: string;
  cacheDir: string;
  files: number;
  records: number;
  /** Distinct non-empty English strings. */
  unique: number;
  alreadyCached: number;
  embedded: number;
  wallSeconds: number;
  sentencesPerSecond: number;
  cacheBytes: number;
}

/** Distinct `en` strings of every `*.jsonl` in `trainDir`, first-seen order, exactly as written. */
export async function collectEnglish(trainDir: string, skipShort = false): Promise<{ files: number; records: number; texts: string[] }> {
  const files = (await fs.readdir(trainDir)).filter((f) => f.endsWith('.jsonl')).sort();
  const seen = new Set<string>();
  let records = 0;
  for (const file of files) {
    for (const record of readJsonl<{ en?: unknown; short?: unknown }>(path.join(trainDir, file))) {
      records++;
      if (typeof record.en !== 'string' || !record.en || (skipShort && record.short === true)) continue;
      seen.add(record.en);
    }
  }
  return { files: files.length, records, texts: [...seen] };
}

export async function buildTeacherCache(options: BuildTeacherCacheOptions = {}): Promise<BuildTeacherCacheResult> {
  const started = performance.now();
  const trainDir = options.trainDir ?? 'data/train';
  const cacheDir = options.cacheDir ?? '.cache/teacher';
  const teacher = options.teacher ?? createUseLiteTeacher();
  const { files, records, texts } = await collectEnglish(trainDir, options.skipShort);
  const cache = await openTeacherCache(cacheDir, teacher, { batchSize: options.batchSize ?? 1024 });
  const toEmbed = cache.countMissing(texts);
  let embedStarted = 0;
  try {
    embedStarted = performance.now();
    options.onProgress?.({ done: 0, total: toEmbed, rate: 0, etaSeconds: toEmbed ? Number.NaN : 0 });
    await cache.getMany(texts, {
      onBatch: (done, total) => {
        const rate = done / ((performance.now() - embedStarted) / 1000);
        options.onProgress?.({ done, total, rate, etaSeconds: (total - done) / rate });
      },
    });
  } finally {
    await cache.close();
  }
  const embedSeconds = (performance.now() - embedStarted) / 1000;
  let cacheBytes = 0;
  for (const file of Object.values(CACHE_FILES)) cacheBytes += (await fs.stat(path.join(cacheDir, file))).size;
  return {
    teacher: teacher.name,
    cacheDir,
    files,
    records,
    unique: texts.length,
    alreadyCached: texts.length - toEmbed,
    embedded: toEmbed,
    wallSeconds: (performance.now() - started) / 1000,
    sentencesPerSecond: toEmbed ? toEmbed / embedSeconds : 0,
    cacheBytes,
  };
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor(s / 60) % 60).padStart(2, '0')}m` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/** A bar on a TTY; otherwise a log line at most every `logEverySeconds` (and at the end). */
export function createTeacherProgress(
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  tty = Boolean(process.stderr.isTTY),
  logEverySeconds = 30,
): { update: (progress: TeacherProgress) => void; stop: () => void } {
  const bar = tty
    ? new cliProgress.SingleBar(
        { format: 'teacher |{bar}| {value}/{total} | {rate}/s | ETA {eta}', stream: process.stderr, hideCursor: true },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  let started = false;
  let lastLog = -Infinity;
  return {
    update({ done, total, rate, etaSeconds }) {
      const payload = { rate: rate.toFixed(1), eta: formatDuration(etaSeconds) };
      if (bar) {
        if (!started) bar.start(total, done, payload);
        else bar.update(done, payload);
        started = true;
        return;
      }
      const now = performance.now() / 1000;
      if (done === total || now - lastLog >= logEverySeconds) {
        lastLog = now;
        log(`teacher: ${done}/${total} embedded, ${payload.rate}/s, ETA ${payload.eta}`);
      }
    },
    stop: () => bar?.stop(),
  };
}
