// Pure helpers of the page (no DOM): result snippets and upload parsing. Node's tests import this module too.

export const SNIPPET_CHARS = 280;

/**
 * The part of a result's text to show, as segments to render in order, `mark: true` for matched query terms.
 * The window is the highlighted sentence when there is one, else text around the first matched term, else the
 * start of the text; spans are UTF-16 offsets, as String.prototype.slice takes them.
 * @param {string} text
 * @param {{terms?: Array<{start: number, end: number}>, sentence?: {start: number, end: number}} | undefined} highlights
 * @returns {{segments: Array<{text: string, mark: boolean}>, cutStart: boolean, cutEnd: boolean}}
 */
export function snippet(text, highlights, maxChars = SNIPPET_CHARS) {
  const terms = highlights?.terms ?? [];
  let start = 0;
  let end = Math.min(text.length, maxChars);
  if (highlights?.sentence) {
    start = highlights.sentence.start;
    end = Math.min(highlights.sentence.end, start + maxChars);
  } else if (terms.length) {
    start = Math.max(0, terms[0].start - Math.floor(maxChars / 3));
    end = Math.min(text.length, start + maxChars);
  }
  start = avoidSplitSurrogate(text, start);
  end = avoidSplitSurrogate(text, end);
  const segments = [];
  let at = start;
  for (const term of terms) {
    const from = Math.max(term.start, at);
    const to = Math.min(term.end, end);
    if (to <= from) continue;
    if (from > at) segments.push({ text: text.slice(at, from), mark: false });
    segments.push({ text: text.slice(from, to), mark: true });
    at = to;
  }
  if (at < end) segments.push({ text: text.slice(at, end), mark: false });
  return { segments, cutStart: start > 0, cutEnd: end < text.length };
}

/** Moves an offset off the low half of a surrogate pair, so that no character is cut in two. */
function avoidSplitSurrogate(text, offset) {
  const code = text.charCodeAt(offset);
  return offset > 0 && code >= 0xdc00 && code <= 0xdfff ? offset - 1 : offset;
}

const DOCUMENT_FIELDS = ['id', 'text', 'lang', 'title'];

/**
 * Documents from an uploaded file: JSONL (one document object per line) or TSV (a header row naming the columns;
 * id, text, lang and title are fields, every other column a metadata string). A document without an id gets
 * `<file name>-<line>`. Lines that cannot be read are reported, not skipped silently.
 * @param {string} fileName
 * @param {string} content
 * @returns {{documents: Array<Record<string, unknown>>, errors: Array<{line: number, message: string}>}}
 */
export function parseDocumentsFile(fileName, content) {
  const base = fileName.replace(/\.[^.]*$/, '') || 'document';
  const lines = content.replace(/^\uFEFF/, '').split(/\r?\n/);
  const isTsv = /\.tsv$/i.test(fileName) || (!/\.(jsonl|ndjson)$/i.test(fileName) && !lines[0]?.trimStart().startsWith('{'));
  return isTsv ? parseTsv(base, lines) : parseJsonl(base, lines);
}

function parseJsonl(base, lines) {
  const documents = [];
  const errors = [];
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    let value;
    try {
      value = JSON.parse(line);
    } catch (error) {
      errors.push({ line: index + 1, message: error instanceof Error ? error.message : String(error) });
      return;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value) || typeof value.text !== 'string' || value.text === '') {
      errors.push({ line: index + 1, message: 'not an object with a "text" string' });
      return;
    }
    documents.push({ ...value, id: value.id === undefined ? `${base}-${index + 1}` : String(value.id) });
  });
  return { documents, errors };
}

function parseTsv(base, lines) {
  const header = (lines[0] ?? '').split('\t').map((name) => name.trim());
  if (!header.includes('text')) return { documents: [], errors: [{ line: 1, message: 'the header row names no "text" column' }] };
  const documents = [];
  const errors = [];
  lines.slice(1).forEach((line, index) => {
    const lineNumber = index + 2;
    if (line.trim() === '') return;
    const cells = line.split('\t');
    const document = {};
    const metadata = {};
    header.forEach((name, column) => {
      const cell = cells[column] ?? '';
      if (cell === '') return;
      if (DOCUMENT_FIELDS.includes(name)) document[name] = cell;
      else if (name !== '') metadata[name] = cell;
    });
    if (!document.text) {
      errors.push({ line: lineNumber, message: 'no text' });
      return;
    }
    document.id ??= `${base}-${lineNumber}`;
    if (Object.keys(metadata).length) document.metadata = metadata;
    documents.push(document);
  });
  return { documents, errors };
}

/**
 * @template T
 * @param {T[]} items
 * @param {number} size
 * @returns {T[][]}
 */
export function batches(items, size) {
  const result = [];
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size));
  return result;
}
