/** Benchmarks from the evaluation-only sources, and the leakage guard strings derived from them. */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BeirBench } from '../bench/beir.js';
import { buildEmojiBench, readAnnotations } from '../bench/emoji.js';
import type { EmojiAnnotations } from '../bench/emoji.js';
import { buildMediawikiBench, loadMediawikiMessages, mediawikiGuardStrings } from '../bench/mediawiki.js';
import { buildUdhrBench, parseUdhrArticles, pickUdhrCodes, udhrIndexEntry } from '../bench/udhr.js';
import type { UdhrIndexEntry } from '../bench/udhr.js';

export interface EvalDirs {
  /** Extracted `mediawiki` .deb root. */
  mediawiki: string | null;
  /** `package/` dirs of the npm packages. */
  annotations: string | null;
  annotationsDerived: string | null;
  udhr: string | null;
}

export interface EvalResult {
  benches: Map<string, BeirBench>;
  /** Everything the guard must cover (all languages, both MediaWiki halves); in memory only. */
  guardStrings: string[];
}

async function readJson(path: string): Promise<unknown> {
  return JSON.parse(await readFile(path, 'utf8'));
}

async function emojiFor(dirs: EvalDirs, lang: string): Promise<EmojiAnnotations> {
  const merged: EmojiAnnotations = new Map();
  const files = [
    dirs.annotations && join(dirs.annotations, 'annotations', lang, 'annotations.json'),
    dirs.annotationsDerived && join(dirs.annotationsDerived, 'annotationsDerived', lang, 'annotations.json'),
  ];
  for (const file of files) if (file && existsSync(file)) readAnnotations(await readJson(file), merged);
  return merged;
}

export async function buildEvalSets(dirs: EvalDirs, langs: readonly string[], udhrPreferred: Record<string, string>): Promise<EvalResult> {
  const benches = new Map<string, BeirBench>();
  const guardStrings: string[] = [];
  const benchStrings = (bench: BeirBench): void => {
    for (const d of bench.corpus) guardStrings.push(d.text);
    for (const q of bench.queries) guardStrings.push(q.text);
  };

  if (dirs.mediawiki) {
    const messages = await loadMediawikiMessages(join(dirs.mediawiki, 'usr', 'share', 'mediawiki'), langs);
    benches.set('mediawiki-xling', buildMediawikiBench(messages));
    guardStrings.push(...mediawikiGuardStrings(messages));
  }

  if (dirs.annotations) {
    const english = await emojiFor(dirs, 'en');
    const byLang = new Map<string, EmojiAnnotations>();
    for (const lang of langs) {
      const annotations = await emojiFor(dirs, lang);
      if (annotations.size) byLang.set(lang, annotations);
    }
    const bench = buildEmojiBench(english, byLang);
    benches.set('cldr-emoji', bench);
    benchStrings(bench);
  }

  if (dirs.udhr) {
    const declDir = join(dirs.udhr, 'declaration');
    const index: UdhrIndexEntry[] = [];
    for (const file of (await readdir(declDir)).filter((f) => f.endsWith('.html')).sort()) {
      const entry = udhrIndexEntry((await readFile(join(declDir, file), 'utf8')).slice(0, 2000));
      if (entry) index.push(entry);
    }
    const read = async (code: string): Promise<Map<number, string>> =>
      parseUdhrArticles(await readFile(join(declDir, `${code}.html`), 'utf8'));
    const byLang = new Map<string, Map<number, string>>();
    for (const [lang, code] of pickUdhrCodes(index, langs, udhrPreferred)) {
      const articles = await read(code);
      if (articles.size) byLang.set(lang, articles);
    }
    const bench = buildUdhrBench(await read('eng'), byLang);
    benches.set('udhr', bench);
    benchStrings(bench);
  }
  return { benches, guardStrings };
}

/** A bench restricted to some query languages (corpus unchanged). */
export function restrictBench(bench: BeirBench, langs: ReadonlySet<string>): BeirBench {
  const queries = bench.queries.filter((q) => langs.has(q.lang));
  const ids = new Set(queries.map((q) => q._id));
  return { corpus: bench.corpus, queries, qrels: bench.qrels.filter((q) => ids.has(q.queryId)) };
}
