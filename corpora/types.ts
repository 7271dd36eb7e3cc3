/** Record shapes written by the data build and the manifest that describes one build. */

export interface Pair {
  en: string;
  text: string;
  lang: string;
  source: string;
  pkg: string;
  /** Fewer than two English words: kept, but the trainer may weight it down. */
  short?: boolean;
}

/** A pair as a parser yields it, before cleaning. */
export type RawPair = Omit<Pair, 'short'>;

export interface MonoRecord {
  text: string;
  lang: string;
  source: string;
}

export interface MorphGroup {
  lang: string;
  stem: string;
  forms: string[];
  source: string;
  /** 'affix': expanded from .aff rules; 'verb-prefix': full forms in .dic sharing a verb root. */
  method: 'affix' | 'verb-prefix';
}

/** 'over-cap': a contact language's pair left out of its capped sample (see `contactLanguages` in sources.json). */
export type DropReason = 'empty' | 'untranslated' | 'length-ratio' | 'leak' | 'duplicate' | 'over-cap';
export const DROP_REASONS: readonly DropReason[] = ['empty', 'untranslated', 'length-ratio', 'leak', 'duplicate', 'over-cap'];

export interface SourceLangStats {
  raw: number;
  kept: number;
  /** Kept records flagged `short`. */
  short: number;
  dropped: Record<DropReason, number>;
}

export interface PackageRecord {
  name: string;
  kind: 'deb' | 'udeb' | 'source' | 'npm';
  version: string | null;
  status: 'downloaded' | 'cached' | 'failed';
  file?: string;
  error?: string;
}

export interface OutputRecord {
  path: string;
  bytes: number;
  sha256: string;
  records: number;
}

export interface BenchSummary {
  corpus: number;
  queries: Record<string, number>;
  qrels: number;
}

export interface Manifest {
  formatVersion: 1;
  createdAt: string;
  wallTimeMs: number;
  cacheDir: string;
  outDir: string;
  langs: string[];
  sources: string[];
  packages: PackageRecord[];
  /** stats[output kind/source][lang], e.g. stats['train/chromium']['sw']. */
  stats: Record<string, Record<string, SourceLangStats>>;
  bench: Record<string, BenchSummary>;
  outputs: OutputRecord[];
  errors: string[];
}

export interface BuildLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}
