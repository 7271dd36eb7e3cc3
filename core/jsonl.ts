import fs from 'node:fs';
import readline from 'node:readline';
import { TafutaError } from './errors.js';

function parseLine(file: string, lineNo: number, line: string): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    throw new TafutaError('INPUT_FILE', `${file}:${lineNo}: not valid JSON`);
  }
}

/** A line of a JSONL file parsed, with its 1-based number for messages about the record. */
export interface JsonlEntry {
  line: number;
  value: unknown;
}

/**
 * Every non-blank line of a JSONL file parsed, read whole, with its line number: for readers that validate each
 * record and name the line of a bad one. A line that is not JSON is an INPUT_FILE error naming it.
 */
export function readJsonlEntries(file: string): JsonlEntry[] {
  const entries: JsonlEntry[] = [];
  fs.readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line.trim()) entries.push({ line: i + 1, value: parseLine(file, i + 1, line) });
    });
  return entries;
}

/** Every record of a JSONL file, read whole, with readJsonlEntries' rules. */
export function readJsonl<T = Record<string, unknown>>(file: string): T[] {
  return readJsonlEntries(file).map((entry) => entry.value as T);
}

/** The lines of a text file streamed one by one (LF or CRLF), for files too large to hold. */
export function fileLines(file: string): AsyncIterable<string> {
  return readline.createInterface({ input: fs.createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
}

/** The records of a JSONL file streamed line by line, with readJsonl's rules. */
export async function* jsonLines<T>(file: string): AsyncGenerator<T> {
  let lineNo = 0;
  for await (const line of fileLines(file)) {
    lineNo++;
    if (line.trim()) yield parseLine(file, lineNo, line) as T;
  }
}
