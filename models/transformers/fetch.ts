/**
 * `tafuta fetch-model`: on a connected machine, copies a Hugging Face Hub repository's files that the transformers
 * encoder reads into `<modelsDir>/<name>`, once; from then on it loads offline like any other model directory.
 * Only with TAFUTA_ALLOW_REMOTE_MODELS=1. `HF_ENDPOINT` names a mirror (as for the Hugging Face tools), `HF_TOKEN`
 * is sent for gated repositories.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TafutaError } from '../../core/errors.js';
import { onnxFileOf, type TransformersDtype } from './settings.js';

/** Whether this process may download from the hub: only with TAFUTA_ALLOW_REMOTE_MODELS=1. */
function remoteModelsAllowed(): boolean {
  return process.env.TAFUTA_ALLOW_REMOTE_MODELS === '1';
}

export const DEFAULT_HUB_ENDPOINT = 'https://huggingface.co';

/** Files read when present: tokenizer settings and the sentence-transformers description (pooling, prompts, length). */
const OPTIONAL_FILES = ['tokenizer_config.json', 'special_tokens_map.json', 'modules.json', 'sentence_bert_config.json', 'config_sentence_transformers.json'];

export interface FetchModelOptions {
  /** A hub repository id, `owner/name`. */
  id: string;
  modelsDir: string;
  dtype: TransformersDtype;
  /** Directory name under modelsDir (default: the id's last part). */
  name?: string;
  revision?: string;
  endpoint?: string;
  token?: string;
}

const HUB_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Downloads into `<name>.partial` and renames it at the end, so that a broken download is never loaded. Returns the directory. */
export async function fetchHubModel(options: FetchModelOptions): Promise<string> {
  if (!remoteModelsAllowed()) {
    throw new TafutaError('INVALID_ARGUMENT', 'fetching from the hub is off: set TAFUTA_ALLOW_REMOTE_MODELS=1 on a connected machine');
  }
  if (!HUB_ID.test(options.id) || options.id.includes('..')) throw new TafutaError('INVALID_ARGUMENT', `"${options.id}" is not a hub repository id (owner/name)`);
  const name = options.name ?? options.id.split('/')[1]!;
  const target = path.join(options.modelsDir, name);
  if (fs.existsSync(target)) throw new TafutaError('INVALID_ARGUMENT', `${target} already exists`);
  const partial = `${target}.partial`;
  fs.rmSync(partial, { recursive: true, force: true });
  const base = `${(options.endpoint ?? DEFAULT_HUB_ENDPOINT).replace(/\/+$/, '')}/${options.id}/resolve/${encodeURIComponent(options.revision ?? 'main')}/`;
  const headers: Record<string, string> = options.token ? { authorization: `Bearer ${options.token}` } : {};

  /** Writes `file` of the repository into the partial directory; false when the repository has no such file. */
  async function download(file: string, required: boolean): Promise<boolean> {
    const response = await fetch(base + file.split(path.sep).join('/'), { headers });
    if (response.status === 404 && !required) return false;
    if (!response.ok || !response.body) throw new TafutaError('INPUT_FILE', `${options.id}: ${file} answered HTTP ${response.status}`);
    const out = path.join(partial, file);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), fs.createWriteStream(out));
    return true;
  }

  try {
    for (const file of ['config.json', 'tokenizer.json', onnxFileOf(options.dtype)]) await download(file, true);
    for (const file of OPTIONAL_FILES) await download(file, false);
    const modulesFile = path.join(partial, 'modules.json');
    if (fs.existsSync(modulesFile)) {
      const modules = JSON.parse(fs.readFileSync(modulesFile, 'utf8')) as { type?: string; path?: string }[];
      for (const m of modules) {
        // A folder name, never a path out of the model directory.
        if (m.type?.endsWith('.Pooling') && m.path && /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(m.path)) await download(path.join(m.path, 'config.json'), false);
      }
    }
    fs.renameSync(partial, target);
    return target;
  } catch (err) {
    fs.rmSync(partial, { recursive: true, force: true });
    throw err;
  }
}
