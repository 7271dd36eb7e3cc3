/**
 * Key–value locale catalogs of web applications, as npm packages ship them (source `npm-catalogs`): one file per
 * locale in a directory, beside the English one, paired by message key — JSON (Scratch, the OpenStreetMap editor iD)
 * or Blockly's generated message scripts. They hold Hausa, Igbo, Yoruba, Quechua and Somali text that no Debian
 * catalog has; Scratch's website much of it prose. Pairing: pair-by-key.ts.
 */

/**
 * Message key → text. A catalog whose only key is its own `locale` is that key's object. Nested objects are
 * flattened with `.` between the keys; a `{ "message": … }` or `{ "string": … }` leaf (Chrome- and Transifex-style
 * catalogs) counts as its text. Anything else is skipped.
 */
export function flattenCatalog(json: unknown, locale?: string): Map<string, string> {
  const messages = new Map<string, string>();
  const visit = (value: unknown, key: string): void => {
    if (typeof value === 'string') {
      messages.set(key, value);
      return;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
    const leaf = (value as Record<string, unknown>)['message'] ?? (value as Record<string, unknown>)['string'];
    if (typeof leaf === 'string') {
      messages.set(key, leaf);
      return;
    }
    for (const [k, v] of Object.entries(value)) visit(v, key ? `${key}.${k}` : k);
  };
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new Error('not a JSON catalog (an object of messages)');
  // iD wraps each catalog in its locale ({"so": {…}}, {"en": {…}}): unwrapped, so that keys pair across locales.
  const keys = Object.keys(json);
  const unwrapped = locale !== undefined && keys.length === 1 && keys[0] === locale ? (json as Record<string, unknown>)[locale] : json;
  visit(unwrapped, '');
  return messages;
}

const BLOCKLY_MESSAGE = /^Blockly\.Msg\["([^"]+)"\] = ("(?:[^"\\]|\\.)*");(\s*\/\/ untranslated)?\s*$/u;

/**
 * Message key → text of a Blockly `msg/<locale>.js` (generated from translatewiki.net's JSON): every
 * `Blockly.Msg["KEY"] = "…";` line. Lines the generator marks `// untranslated` hold the English and are skipped, and
 * so are aliases of another key (`= Blockly.Msg["OTHER"];`). Throws when the file has no message line.
 */
export function parseBlocklyMessages(script: string): Map<string, string> {
  const messages = new Map<string, string>();
  let lines = 0;
  for (const line of script.split('\n')) {
    const m = BLOCKLY_MESSAGE.exec(line);
    if (!m) continue;
    lines++;
    // The literals are JSON strings but for JavaScript's \' escape.
    if (!m[3]) messages.set(m[1]!, JSON.parse(m[2]!.replace(/\\'/gu, "'")) as string);
  }
  if (!lines) throw new Error('not a Blockly message file (no Blockly.Msg["…"] = "…"; line)');
  return messages;
}
