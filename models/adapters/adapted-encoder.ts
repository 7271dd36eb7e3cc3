/**
 * An encoder served under a new name: the base encoder (loaded by name, any kind) with a low-rank correction for
 * each adapted language. Texts of an adapted language — queries as the language identifier or the request names
 * them, passages as their document's language — get the correction; every other text (English, the pivot, included)
 * is the base's vector unchanged. The base's own adapters still apply first (the language is passed through).
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { langAt, type EmbedOptions, type Encoder, type EncoderInfo } from '../encoder.js';
import { applyAdapter } from './low-rank.js';
import type { AdaptedModel } from './format.js';
import { TafutaError } from '../../core/errors.js';

/** The served version: the base's version and the adapters' bytes (a retrained adapter is another version). */
export function adaptedVersion(baseVersion: string | undefined, model: AdaptedModel): string {
  const langs = model.manifest.languages.map((l) => l.lang);
  return createHash('sha256').update(JSON.stringify({ base: baseVersion ?? null, langs, rank: model.manifest.rank })).update(model.bytes).digest('hex').slice(0, 16);
}

export function createAdaptedEncoder(base: Encoder, model: AdaptedModel, dir?: string): Encoder {
  const { manifest, adapters } = model;
  if (base.info.name !== manifest.base.name) throw new TafutaError('INPUT_FILE', `adapters of ${manifest.name} were trained over "${manifest.base.name}", not "${base.info.name}"`);
  if (manifest.base.version !== undefined && base.info.version !== manifest.base.version) {
    throw new TafutaError('INPUT_FILE', `adapters of ${manifest.name} were trained over ${manifest.base.name} version ${manifest.base.version}, but version ${base.info.version ?? '(none)'} is loaded: retrain them (tafuta adapt --encoder ${manifest.base.name})`);
  }
  if (base.info.dim !== manifest.dim) throw new TafutaError('INPUT_FILE', `adapters of ${manifest.name} are ${manifest.dim}-d, ${base.info.name} is ${base.info.dim}-d`);
  const info: EncoderInfo = {
    name: manifest.name,
    dim: base.info.dim,
    description: manifest.description,
    adapters: [...new Set([...(base.info.adapters ?? []), ...adapters.keys()])].sort(),
    // `auto` keeps the base's choice (its measured rule, else dense where the base has an adapter): these adapters
    // are not measured to make dense beat hybrid (docs/adapters.md).
    autoModes: base.info.autoModes ?? { languages: Object.fromEntries((base.info.adapters ?? []).map((lang) => [lang, 'dense' as const])), default: 'hybrid' },
    version: adaptedVersion(base.info.version, model),
    kind: 'adapted',
    ...(dir !== undefined ? { source: path.resolve(dir) } : {}),
  };
  return {
    info,
    ...(base.tokenLimit ? { tokenLimit: base.tokenLimit } : {}),
    async embed(texts: readonly string[], options: EmbedOptions): Promise<Float32Array[]> {
      const vectors = await base.embed(texts, options);
      return vectors.map((v, i) => {
        const adapter = adapters.get(langAt(options.lang, i) ?? '');
        return adapter ? applyAdapter(adapter, v) : v;
      });
    },
    // The base is its own entry in the registry, which closes it.
  };
}
