/**
 * Short-string evaluation of a language identifier on held-out text it was never trained on: the query strings
 * of the benchmarks (CLDR emoji keywords: 1–3 words; MediaWiki UI messages: ≥ 6 words; UDHR articles: prose),
 * plus English strings from benchmark corpora. Scores per language and per length bucket, for the trained
 * model and the heuristic on the same strings; writes the Markdown report.
 */
import fs from 'node:fs';
import path from 'node:path';
import { TafutaError } from '../../core/errors.js';
import { readJsonl } from '../../core/jsonl.js';
import type { LanguageIdentifier } from './identifier.js';
import { normalizeText } from '../../text/normalize.js';
import { ENGLISH, wordCount } from './data.js';
import type { LangIdManifest } from './io.js';
import { LENGTH_BUCKETS, groupBy, lengthBucket, macro, score, topConfusions, type LengthBucket, type Outcome, type Score } from './metrics.js';
import { DEFAULT_THRESHOLD_GROUP, type TrainedLanguageIdentifier } from './model.js';
import type { LengthThresholdChoice } from './train.js';

export interface EvalString {
  text: string;
  lang: string;
  /** Benchmark it comes from (and which file). */
  source: string;
}

/**
 * English strings, from benchmark corpora whose documents are English: CLDR emoji names (the part before
 * ": keywords", as short as the LRL queries) and UDHR articles. Not MediaWiki: its corpus also holds the
 * English side of the held-out test split.
 */
const ENGLISH_CORPORA: Record<string, (text: string) => string> = {
  'cldr-emoji': (text) => text.split(': ')[0]!,
  udhr: (text) => text,
};

/** Query strings with a `lang` of every benchmark under `benchRoot`, plus English corpus strings. */
export function readBenchStrings(benchRoot: string): EvalString[] {
  if (!fs.existsSync(benchRoot)) throw new TafutaError('INPUT_FILE', `no benchmark directory ${benchRoot}`);
  const out: EvalString[] = [];
  for (const bench of fs.readdirSync(benchRoot).sort()) {
    const queries = path.join(benchRoot, bench, 'queries.jsonl');
    if (!fs.existsSync(queries)) continue;
    for (const q of readJsonl(queries)) {
      if (typeof q.text === 'string' && typeof q.lang === 'string') out.push({ text: q.text, lang: q.lang, source: `${bench} queries` });
    }
    const corpus = path.join(benchRoot, bench, 'corpus.jsonl');
    const englishPart = ENGLISH_CORPORA[bench];
    if (englishPart && fs.existsSync(corpus)) {
      for (const d of readJsonl(corpus)) if (typeof d.text === 'string') out.push({ text: englishPart(d.text), lang: ENGLISH, source: `${bench} corpus (en)` });
    }
  }
  if (out.length === 0) throw new TafutaError('INPUT_FILE', `no queries with a lang field under ${benchRoot}`);
  return out;
}

export interface EvalOutcome extends Outcome {
  source: string;
  /** The normalised string occurs in the training data (any label). */
  seen: boolean;
}

export interface LangIdEvaluation {
  threshold: number;
  trained: EvalOutcome[];
  /** The trained model's answers under its length-blind thresholds (script only), the rule before per-length ones. */
  lengthBlind: EvalOutcome[];
  heuristic: EvalOutcome[];
}

export function evaluateIdentifiers(
  strings: readonly EvalString[],
  identifiers: { trained: TrainedLanguageIdentifier; lengthBlind: TrainedLanguageIdentifier; heuristic: LanguageIdentifier },
  trainingKeys: ReadonlySet<string>,
): LangIdEvaluation {
  const { trained, lengthBlind, heuristic } = identifiers;
  const trainedOut: EvalOutcome[] = [];
  const lengthBlindOut: EvalOutcome[] = [];
  const heuristicOut: EvalOutcome[] = [];
  for (const s of strings) {
    const base = { gold: s.lang, words: wordCount(s.text), source: s.source, seen: trainingKeys.has(normalizeText(s.text)) };
    const top = trained.predict(s.text);
    trainedOut.push({ ...base, top: top?.lang, answer: trained.identify(s.text)?.lang });
    lengthBlindOut.push({ ...base, top: top?.lang, answer: lengthBlind.identify(s.text)?.lang });
    const guess = heuristic.identify(s.text)?.lang;
    heuristicOut.push({ ...base, top: guess, answer: guess });
  }
  return { threshold: trained.threshold, trained: trainedOut, lengthBlind: lengthBlindOut, heuristic: heuristicOut };
}

/** The length buckets of short queries, where the per-length thresholds differ most from the length-blind ones. */
export const SHORT_BUCKETS = ['1', '2-3'] as const satisfies readonly LengthBucket[];

interface BeforeAfter {
  lengthBlind: Score;
  perLength: Score;
}

export interface EvaluationSummary {
  date: string;
  command: string;
  strings: number;
  threshold: number;
  /** Macro over languages. */
  overall: { trained: Score; heuristic: Score; trainedUnseen: Score };
  perLength: Record<string, { trained: Score; heuristic: Score }>;
  perSource: Record<string, { trained: Score; heuristic: Score }>;
  perLang: Record<string, { n: number; seen: number; trained: Score; heuristic: Score; confusions: Array<{ lang: string; share: number }> }>;
  perLangLength: Record<string, Record<string, { trained: Score; heuristic: Score }>>;
  /** Per short-length bucket: the macro row and each language, under length-blind and per-length thresholds. */
  shortQueries: Record<string, { macro: BeforeAfter; perLang: Record<string, BeforeAfter> }>;
}

const byKey = <T,>(map: Map<string, T>): Array<[string, T]> => [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

export function summarize(evaluation: LangIdEvaluation, command: string): EvaluationSummary {
  const { trained, lengthBlind, heuristic } = evaluation;
  const pick = (list: EvalOutcome[], indices: number[]): EvalOutcome[] => indices.map((i) => list[i]!);
  const indices = trained.map((_, i) => i);
  const pair = (idx: number[], f: (list: Outcome[]) => Score = macro) => ({ trained: f(pick(trained, idx)), heuristic: f(pick(heuristic, idx)) });
  const perLength: EvaluationSummary['perLength'] = {};
  for (const bucket of LENGTH_BUCKETS) perLength[bucket] = pair(indices.filter((i) => lengthBucket(trained[i]!.words) === bucket));
  const perSource: EvaluationSummary['perSource'] = {};
  for (const [source, idx] of byKey(groupBy(indices, (i) => trained[i]!.source))) perSource[source] = pair(idx);
  const perLang: EvaluationSummary['perLang'] = {};
  const perLangLength: EvaluationSummary['perLangLength'] = {};
  for (const [lang, idx] of byKey(groupBy(indices, (i) => trained[i]!.gold))) {
    perLang[lang] = {
      n: idx.length,
      seen: idx.filter((i) => trained[i]!.seen).length / idx.length,
      ...pair(idx, score),
      confusions: topConfusions(pick(trained, idx)),
    };
    perLangLength[lang] = {};
    for (const bucket of LENGTH_BUCKETS) {
      const inBucket = idx.filter((i) => lengthBucket(trained[i]!.words) === bucket);
      if (inBucket.length) perLangLength[lang]![bucket] = pair(inBucket, score);
    }
  }
  const shortQueries: EvaluationSummary['shortQueries'] = {};
  for (const bucket of SHORT_BUCKETS) {
    const inBucket = indices.filter((i) => lengthBucket(trained[i]!.words) === bucket);
    const beforeAfter = (idx: number[], f: (list: Outcome[]) => Score): BeforeAfter => ({ lengthBlind: f(pick(lengthBlind, idx)), perLength: f(pick(trained, idx)) });
    shortQueries[bucket] = {
      macro: beforeAfter(inBucket, macro),
      perLang: Object.fromEntries(byKey(groupBy(inBucket, (i) => trained[i]!.gold)).map(([lang, idx]) => [lang, beforeAfter(idx, score)])),
    };
  }
  return {
    date: new Date().toISOString(),
    command,
    strings: trained.length,
    threshold: evaluation.threshold,
    overall: { ...pair(indices), trainedUnseen: macro(trained.filter((o) => !o.seen)) },
    perLength,
    perSource,
    perLang,
    perLangLength,
    shortQueries,
  };
}

const pct = (x: number): string => (Number.isNaN(x) ? '–' : (100 * x).toFixed(1));
const bucketName = (bucket: LengthBucket): string => `${bucket} word${bucket === '1' ? '' : 's'}`;

export function formatReport(summary: EvaluationSummary, manifest: LangIdManifest, heuristicName: string, modelDir: string): string {
  const held = manifest.heldOut as { macro: Score; perLength: Record<string, Score>; perLang: Record<string, Score> } | undefined;
  type Choice = { threshold: number; precision: number; coverage: number; reached: boolean };
  const sel = manifest.thresholdSelection as
    | (Choice & { targetPrecision: number; perScript?: Record<string, Choice & { strings: number }>; perLength?: Record<string, Partial<Record<LengthBucket, LengthThresholdChoice>>> })
    | undefined;
  const perScript = Object.entries(manifest.scriptThresholds ?? {});
  const lengthThresholds = manifest.lengthThresholds ?? {};
  const thresholds = Object.keys(lengthThresholds).length
    ? 'per script and length (table *Thresholds* below)'
    : `p ≥ ${summary.threshold}${perScript.length ? ` (per script: ${perScript.map(([s, t]) => `${s} ${t}`).join(', ')}; others ${summary.threshold})` : ''}`;
  const lines: string[] = [];
  const row = (cells: Array<string | number>): void => void lines.push(`| ${cells.join(' | ')} |`);
  const header = (cells: string[]): void => {
    row(cells);
    row(cells.map((_, i) => (i === 0 ? '---' : '---:')));
  };
  lines.push(
    `# Language identification — ${manifest.name}`,
    '',
    '<!-- generated by `tafuta langid eval`; do not edit by hand -->',
    '',
    `Trained model: ${manifest.description}`,
    `Trained ${String(manifest.trainedAt)} in ${String(manifest.trainingSeconds)} s; weights ${(manifest.weights.bytes / 1e6).toFixed(2)} MB. ` +
      `Compared with the heuristic (\`${heuristicName}\`: script + stop words) on the same ${summary.strings} strings.`,
    '',
    'Reproduce (single thread, deterministic for a given seed and data):',
    '',
    '```sh',
    'npx tsc -p tsconfig.json',
    'node dist/bin/tafuta.js langid train --config configs/langid.json --out models/langid-base/',
    ...(manifest.calibratedAt ? [`node dist/bin/tafuta.js langid calibrate --model ${modelDir}   # thresholds chosen again on the current data, weights unchanged (recalibrated ${String(manifest.calibratedAt)})`] : []),
    summary.command,
    '```',
    '',
    '## What is measured',
    '',
    '- **Strings**: every query string with a `lang` under `data/bench/*/queries.jsonl` (CLDR emoji keywords and names, mostly 1–3 words; ' +
      'MediaWiki UI messages of the dev split, ≥ 6 words; UDHR articles), plus English strings from the CLDR emoji corpus (names) and the UDHR corpus. ' +
      'Benchmarks are never trained on; nothing was tuned on them either (the thresholds come from the training data\'s held-out slice).',
    `- **top-1**: the trained model's most probable language, forced (no abstention)${manifest.scripts ? ", among the languages whose training strings use the text's dominant script (the script mask)" : ''}.`,
    `- **cov / prec / ok**: at the confidence threshold ${thresholds} — coverage (answered rather than "unsure"), precision among answered, ` +
      'and answered-and-right over all strings (= cov × prec). "Unsure" means the encoder runs with no adapter. The heuristic has no forced answer: its columns are the same three at its own abstention rule.',
    '- All numbers are percentages except n. Overall rows are macro averages over languages (each language counts the same). Length = words after normalisation and segmentation.',
    `- **seen**: share of a language's strings whose normalised form also occurs somewhere in the training data (CLDR territory and language names are in both); ` +
      `overall top-1 on unseen strings only: **${pct(summary.overall.trainedUnseen.top1)}%**.`,
    '- Caveat: the training data is almost all software UI text; the benchmark strings are short keywords, UI messages and one legal text. Web or news queries will score differently.',
    '',
    '## Overall (macro over languages)',
    '',
  );
  header(['strings', 'n', 'trained top-1', 'trained cov', 'trained prec', 'trained ok', 'heuristic cov', 'heuristic prec', 'heuristic ok']);
  const scoreCells = (p: { trained: Score; heuristic: Score }, n: number) => [
    n,
    pct(p.trained.top1),
    pct(p.trained.coverage),
    pct(p.trained.precision),
    pct(p.trained.correct),
    pct(p.heuristic.coverage),
    pct(p.heuristic.precision),
    pct(p.heuristic.correct),
  ];
  row(['**all**', ...scoreCells(summary.overall, summary.strings)]);
  for (const bucket of LENGTH_BUCKETS) row([bucketName(bucket), ...scoreCells(summary.perLength[bucket]!, summary.perLength[bucket]!.trained.n)]);
  for (const [source, p] of Object.entries(summary.perSource)) row([source, ...scoreCells(p, p.trained.n)]);
  lines.push(
    '',
    '## Short queries: length-blind and per-length thresholds',
    '',
    'The same model and strings under two abstention rules: **blind**, one threshold per script whatever the length (the rule until ' +
      'per-length thresholds), and **per-length**, the thresholds now shipped (table *Thresholds*). **acc** = accuracy among answered strings (precision), ' +
      '**unsure** = share of strings left unanswered. Macro row first (every language counts the same), then each language; "–" = nothing answered.',
    '',
  );
  header(['lang', ...SHORT_BUCKETS.flatMap((b) => [`${bucketName(b)}: n`, 'acc blind', 'acc per-length', 'unsure blind', 'unsure per-length'])]);
  const shortCells = (pair: BeforeAfter | undefined) =>
    pair
      ? [pair.perLength.n, pct(pair.lengthBlind.precision), pct(pair.perLength.precision), pct(1 - pair.lengthBlind.coverage), pct(1 - pair.perLength.coverage)]
      : [0, '–', '–', '–', '–'];
  row(['**macro**', ...SHORT_BUCKETS.flatMap((b) => shortCells(summary.shortQueries[b]?.macro))]);
  for (const lang of Object.keys(summary.perLang)) row([lang, ...SHORT_BUCKETS.flatMap((b) => shortCells(summary.shortQueries[b]?.perLang[lang]))]);
  lines.push('', '## Per language (all strings)', '');
  header(['lang', 'n', 'seen %', 'trained top-1', 'trained cov', 'trained prec', 'trained ok', 'heuristic cov', 'heuristic prec', 'heuristic ok', 'top confusions (trained)']);
  for (const [lang, p] of Object.entries(summary.perLang)) {
    row([lang, ...scoreCells(p, p.n).slice(0, 1), pct(p.seen), ...scoreCells(p, p.n).slice(1), p.confusions.map((c) => `${c.lang} ${pct(c.share)}%`).join(', ') || '–']);
  }
  lines.push('', '## Per language and length: trained top-1 / trained ok / heuristic ok (n)', '');
  header(['lang', ...LENGTH_BUCKETS.map(bucketName)]);
  for (const [lang, buckets] of Object.entries(summary.perLangLength)) {
    row([lang, ...LENGTH_BUCKETS.map((b) => (buckets[b] ? `${pct(buckets[b]!.trained.top1)} / ${pct(buckets[b]!.trained.correct)} / ${pct(buckets[b]!.heuristic.correct)} (${buckets[b]!.trained.n})` : '–'))]);
  }
  if (held && sel) {
    lines.push(
      '',
      '## Thresholds, chosen on the training data',
      '',
      `Held-out slice of the training data (${String((manifest.heldOut as { strings: number }).strings)} strings, by hash of the normalised text, never trained on): ` +
        `smallest threshold (grid of 0.01) whose language-balanced precision — strings weighted so that every language counts the same — reaches ${sel.targetPrecision} → **${manifest.threshold}** ` +
        `(precision ${pct(sel.precision)}%, coverage ${pct(sel.coverage)}%${sel.reached ? '' : '; target not reached, highest-precision threshold kept'}). ` +
        (perScript.length
          ? 'The script mask renormalises over the few languages of a script (am and ti for Ethiopic), so each script written by at most half of the languages gets its own threshold, chosen the same way on its held-out strings: ' +
            Object.entries(sel.perScript ?? {})
              .map(([s, c]) => `${s} **${c.threshold}** (${c.strings} strings, precision ${pct(c.precision)}%, coverage ${pct(c.coverage)}%${c.reached ? '' : ', target not reached'})`)
              .join('; ') +
            '. '
          : '') +
        (sel.perLength
          ? 'A one-word string is far less certain than a sentence at the same probability, so each of these groups (the default one over all held-out strings, ' +
            'each script over its own) also gets a threshold per length bucket, chosen the same way on the held-out strings of that length ' +
            `(when there are at least 50), but never below the group's length-blind threshold: long held-out strings are in-domain UI text the model nearly always gets right, ` +
            'which is no reason to answer more often on prose it has never seen. A text is answered when p reaches the threshold of its script group and length bucket (table *Thresholds*). '
          : '') +
        'The held-out table uses these thresholds and gives plain per-language averages. These strings are in-domain (UI text), so they flatter the model compared with the tables above.' +
        (typeof (manifest.heldOut as { withoutScriptMaskTop1Macro?: number }).withoutScriptMaskTop1Macro === 'number'
          ? ` Without the script mask, held-out top-1 would be ${pct((manifest.heldOut as { withoutScriptMaskTop1Macro: number }).withoutScriptMaskTop1Macro)}%.`
          : ''),
      '',
    );
    if (sel.perLength) {
      lines.push('### Thresholds', '');
      header(['group', 'length-blind', ...LENGTH_BUCKETS.map((b) => `${bucketName(b)} (bucket's own choice; held-out n, prec, cov)`)]);
      const lengthBlind = (group: string) => (group === DEFAULT_THRESHOLD_GROUP ? manifest.threshold : manifest.scriptThresholds?.[group]);
      for (const [group, buckets] of Object.entries(sel.perLength)) {
        row([
          group === DEFAULT_THRESHOLD_GROUP ? 'default (any other script)' : group,
          String(lengthBlind(group)),
          ...LENGTH_BUCKETS.map((b) => {
            const c = buckets[b];
            return c ? `**${c.threshold}** (${c.chosen}; ${c.strings}, ${pct(c.precision)}%, ${pct(c.coverage)}%${c.reached ? '' : ', target not reached'})` : `${lengthBlind(group)} (< 50 strings)`;
          }),
        ]);
      }
      lines.push('', '### Held-out scores at these thresholds', '');
    }
    header(['held-out', 'n', 'top-1', 'cov', 'prec', 'ok']);
    const cells = (s: Score) => [s.n, pct(s.top1), pct(s.coverage), pct(s.precision), pct(s.correct)];
    row(['**macro**', ...cells(held.macro)]);
    for (const bucket of LENGTH_BUCKETS) if (held.perLength[bucket]) row([bucketName(bucket), ...cells(held.perLength[bucket]!)]);
    for (const [lang, s] of Object.entries(held.perLang)) row([lang, ...cells(s)]);
  }
  lines.push('');
  return lines.join('\n');
}
