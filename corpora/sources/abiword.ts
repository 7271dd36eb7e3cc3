/**
 * AbiWord's interface strings (Debian `abiword-common`, `usr/share/abiword-3.0/strings/<locale>.strings`): one XML
 * file per locale whose `<Strings class="…">` elements carry every message as an attribute (`DLG_Cancel="Neenal"`),
 * paired across locales by attribute name. AbiWord has Wolof and Quechua translations that no gettext catalog has.
 */

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(value: string): string {
  return value.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/gu, (whole, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(parseInt(entity.slice(1), 10));
    return XML_ENTITIES[entity] ?? whole;
  });
}

/** Attributes that describe a `<Strings>` element rather than hold a message. */
const NOT_MESSAGES = new Set(['class']);

/**
 * Message id → text over every `<Strings>` element of one file. Attributes are read one after another from the
 * tag's name on, because a value may contain a raw `>`. Throws on a file with no `<Strings>` element.
 */
export function parseAbiStrings(xml: string): Map<string, string> {
  const text = xml.replace(/<!--[\s\S]*?-->/gu, '');
  const messages = new Map<string, string>();
  const attribute = /\s*([A-Za-z_][\w.-]*)\s*=\s*"([^"]*)"/uy;
  let elements = 0;
  for (let start = text.indexOf('<Strings'); start >= 0; start = text.indexOf('<Strings', start)) {
    elements++;
    start += '<Strings'.length;
    attribute.lastIndex = start;
    for (let m = attribute.exec(text); m; m = attribute.exec(text)) {
      if (!NOT_MESSAGES.has(m[1]!)) messages.set(m[1]!, decodeEntities(m[2]!));
      start = attribute.lastIndex;
    }
  }
  if (!elements) throw new Error('not an AbiWord strings file (no <Strings> element)');
  return messages;
}
