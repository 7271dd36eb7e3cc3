import type { MorphGroup } from '../types.js';

interface AffixRule {
  strip: string;
  add: string;
  condition: RegExp;
}

interface AffixClass {
  kind: 'PFX' | 'SFX';
  cross: boolean;
  rules: AffixRule[];
}

export type AffixTable = Map<string, AffixClass>;

/** Parses PFX/SFX classes of a hunspell .aff file (single-character flags, the default FLAG type). */
export function parseAff(text: string): AffixTable {
  const table: AffixTable = new Map();
  for (const line of text.split(/\r?\n/u)) {
    const parts = line.replace(/#.*/u, '').trim().split(/\s+/u);
    const [kind, flag, a, b, c] = parts;
    if ((kind !== 'PFX' && kind !== 'SFX') || !flag || a === undefined || b === undefined) continue;
    const existing = table.get(flag);
    if (!existing) {
      table.set(flag, { kind, cross: a === 'Y', rules: [] });
      continue;
    }
    const strip = a === '0' ? '' : a;
    const add = (b === '0' ? '' : b).split('/')[0] ?? '';
    const cond = c === undefined || c === '.' ? '.' : c;
    const condition = kind === 'PFX' ? new RegExp(`^${cond}`, 'u') : new RegExp(`${cond}$`, 'u');
    existing.rules.push({ strip, add, condition });
  }
  return table;
}

function applyClass(word: string, cls: AffixClass): string[] {
  const out: string[] = [];
  for (const rule of cls.rules) {
    if (!rule.condition.test(word)) continue;
    if (cls.kind === 'PFX') {
      if (!word.startsWith(rule.strip)) continue;
      out.push(rule.add + word.slice(rule.strip.length));
    } else {
      if (!word.endsWith(rule.strip)) continue;
      out.push(word.slice(0, word.length - rule.strip.length) + rule.add);
    }
  }
  return out;
}

/** All forms of one .dic entry: the stem, each affixed form, and prefix×suffix cross products. */
export function expandWord(stem: string, flags: string, table: AffixTable): string[] {
  const forms = new Set<string>([stem]);
  const classes = [...flags].map((f) => table.get(f)).filter((c): c is AffixClass => c !== undefined);
  const suffixed: string[] = [];
  for (const cls of classes) {
    for (const form of applyClass(stem, cls)) {
      forms.add(form);
      if (cls.kind === 'SFX' && cls.cross) suffixed.push(form);
    }
  }
  for (const cls of classes) {
    if (cls.kind !== 'PFX' || !cls.cross) continue;
    for (const word of suffixed) for (const form of applyClass(word, cls)) forms.add(form);
  }
  return [...forms];
}

/** Parses a .dic (first line is the entry count) into [stem, flags]. */
export function parseDic(text: string): Array<[string, string]> {
  const entries: Array<[string, string]> = [];
  const lines = text.split(/\r?\n/u);
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    const slash = line.indexOf('/');
    entries.push(slash < 0 ? [line, ''] : [line.slice(0, slash), line.slice(slash + 1).split(/\s/u)[0] ?? '']);
  }
  return entries;
}

// Swahili verb morphology: [neg] subject + tense/aspect + [object] + root. Only used to gather full forms
// that the .dic lists separately; the root must itself be a ku- infinitive in the dictionary.
const SW_SUBJECT = '(?:ni|u|a|tu|m|wa|li|ya|ki|vi|i|zi|ku|pa|mu|si|hu|ha|hatu|ham|hawa|hai|hazi|hali|haki|havi)';
const SW_TENSE = '(?:na|li|ta|me|ki|nge|ngali|ka|ja|sha)';
const SW_OBJECT = '(?:ni|ku|m|mw|tu|wa|ki|vi|li|ya|i|zi|u|pa)?';

export interface MorphOptions {
  lang: string;
  source: string;
  maxGroupSize: number;
}

/**
 * Groups of inflected forms: (1) affix expansion of flagged .dic entries, (2) for Swahili, dictionary words
 * that are subject+tense(+object) prefixes on the root of a ku- infinitive also in the dictionary.
 */
export function morphGroups(dic: Array<[string, string]>, table: AffixTable, options: MorphOptions): MorphGroup[] {
  const groups: MorphGroup[] = [];
  const cap = (forms: string[]): string[] => forms.slice(0, options.maxGroupSize);
  for (const [stem, flags] of dic) {
    if (!flags) continue;
    const forms = expandWord(stem, flags, table);
    if (forms.length > 1) groups.push({ lang: options.lang, stem, forms: cap(forms), source: options.source, method: 'affix' });
  }
  if (options.lang !== 'sw') return groups;
  const words = new Set(dic.map(([w]) => w.toLowerCase()));
  const roots = new Map<string, string[]>();
  for (const w of words) if (w.startsWith('ku') && w.length >= 5 && w.endsWith('a')) roots.set(w.slice(2), [w]);
  const prefix = new RegExp(`^${SW_SUBJECT}${SW_TENSE}${SW_OBJECT}$`, 'u');
  for (const w of words) {
    if (w.startsWith('ku')) continue;
    // The longest root that leaves a well-formed prefix wins ("aliuza" → a-li + uza, not a-li-u + za).
    for (let i = 2; i <= w.length - 3; i++) {
      const group = roots.get(w.slice(i));
      if (group && prefix.test(w.slice(0, i))) {
        if (group.length < options.maxGroupSize) group.push(w);
        break;
      }
    }
  }
  for (const [root, forms] of roots) {
    if (forms.length >= 3) groups.push({ lang: 'sw', stem: root, forms, source: options.source, method: 'verb-prefix' });
  }
  return groups;
}
