import fs from 'node:fs';
import readline from 'node:readline';
import { TafutaError } from './errors.js';

function parseLine<T>(file: string, lineNo: number, line: string): T {
  try {
    return JSON.parse(line) as T;
  } catch {
    throw new TafutaError('INPUT_FILE', `${file}:${lineNo}: not JSON`);
  }
}

/** Every record of a JSONL file, read whole; blank lines are skipped, a line that is not JSON is an INPUT_FILE error naming it. */
export function readJsonl<T = Record<string, unknown>>(file: string): T[] {
  const records: T[] = [];
  fs.readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line.trim()) records.push(parseLine<T>(file, i + 1, line));
    });
  return records;
}

/** The records of a JSONL file streamed line by line (for files too large to hold), with readJsonl's rules. */
export async function* jsonLines<T>(file: string): AsyncGenerator<T> {
  const lines = readline.createInterface({ input: fs.createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    if (line.trim()) yield parseLine<T>(file, lineNo, line);
  }
}
