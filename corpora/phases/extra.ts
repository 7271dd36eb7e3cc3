/** Monolingual text and morphology groups. */
import { readFile } from 'node:fs/promises';
import { TextDecoder } from 'node:util';
import { dasherSentences } from '../sources/dasher.js';
import { morphGroups, parseAff, parseDic } from '../sources/hunspell.js';
import type { MorphGroup } from '../types.js';

export async function dasherText(path: string): Promise<string[]> {
  return dasherSentences(await readFile(path, 'utf8'));
}

/** Hunspell files declare their charset with `SET`; sw_TZ is ISO-8859-1. */
function decoderFor(aff: Buffer): TextDecoder {
  const set = /^SET\s+(\S+)/mu.exec(aff.toString('latin1'))?.[1]?.toLowerCase() ?? 'utf-8';
  try { return new TextDecoder(set); } catch { return new TextDecoder('utf-8'); }
}

export async function hunspellGroups(dicPath: string, affPath: string, lang: string, source: string, maxGroupSize: number): Promise<MorphGroup[]> {
  const affBytes = await readFile(affPath);
  const decoder = decoderFor(affBytes);
  const table = parseAff(decoder.decode(affBytes));
  const dic = parseDic(decoder.decode(await readFile(dicPath)));
  return morphGroups(dic, table, { lang, source, maxGroupSize });
}
