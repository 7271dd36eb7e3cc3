/**
 * Benchmark: writing one large document while the server keeps answering. The real `tafuta serve` in a child
 * process (default encoder, one process), a small collection to search, and for each size one document without
 * lang, made of lowercase words without punctuation (one sentence: the passage splitter's worst case, as in the
 * issue that found a 200,000-character write blocking the server for 28 s). While the write is in flight a client
 * polls /healthz and a search on the other collection, one request at a time, 50 ms apart, each with a 1 s timeout.
 * Writes docs/benchmarks/large-documents.json and .md. Run: `npm run bench:large-documents`
 * (BENCH_LARGE_SIZES=100000,200000 to choose the sizes).
 */
import fs from 'node:fs';
import path from 'node:path';
import { startCliServer } from '../test/helpers/cli-server.js';
import { header, loadSample, log, machineLine, OUT_DIR, percentiles, round, table, tempDir, writeReport, type Latency } from './bench-common.js';

const SIZES = (process.env.BENCH_LARGE_SIZES ?? '100000,200000,1000000').split(',').map(Number);
const POLL_GAP_MS = 50;
const POLL_TIMEOUT_MS = 1000;
/** This script's report from the commit before large writes moved off the event loop (run there, copied here). */
const BEFORE = { commit: 'b183372', file: path.join(OUT_DIR, 'large-documents-b183372.json') };

function lowercaseDocument(chars: number): string {
  const words: string[] = [];
  let length = 0;
  for (let i = 0; length < chars; i++) {
    const word = `neno${(i * 7919) % 4999}`;
    words.push(word);
    length += word.length + 1;
  }
  return words.join(' ').slice(0, chars);
}

interface Polls {
  sent: number;
  answered: number;
  failed: number;
  latencyMs: Latency;
  /** Longest time between two answers (or between the write's start and the first answer). */
  longestSilenceMs: number;
}

interface Row {
  chars: number;
  writeMs: number;
  passages: number;
  healthz: Polls;
  search: Polls;
}

class Poller {
  private readonly latencies: number[] = [];
  private sent = 0;
  private failed = 0;
  private lastAnswer = performance.now();
  private longestSilence = 0;

  constructor(private readonly request: () => Promise<Response>) {}

  async poll(): Promise<void> {
    this.sent++;
    const started = performance.now();
    try {
      const res = await this.request();
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`status ${res.status}`);
      const now = performance.now();
      this.latencies.push(now - started);
      this.longestSilence = Math.max(this.longestSilence, now - this.lastAnswer);
      this.lastAnswer = now;
    } catch {
      this.failed++;
    }
  }

  result(writeEnded: number): Polls {
    this.longestSilence = Math.max(this.longestSilence, writeEnded - this.lastAnswer);
    return { sent: this.sent, answered: this.latencies.length, failed: this.failed, latencyMs: percentiles(this.latencies), longestSilenceMs: round(this.longestSilence, 1) };
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  const start = loadSample();
  const server = await startCliServer(tempDir('tafuta-bench-large-'), { env: { TAFUTA_WORKERS: '1', TAFUTA_DEFAULT_ENCODER: '' }, startTimeoutMs: 120_000 });
  const post = (path: string, body: unknown, signal?: AbortSignal) =>
    fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), ...(signal ? { signal } : {}) });
  const rows: Row[] = [];
  try {
    await post('/v1/collections', { name: 'other' });
    await post('/v1/collections/other/documents', { documents: [{ id: 'w', text: 'Maji safi ni muhimu kwa afya ya watoto.', lang: 'sw' }] });
    // Not measured: starts the encoder's and the passage preparer's worker threads.
    await post('/v1/collections/other/documents', { documents: [{ id: 'warm-up', text: lowercaseDocument(60_000) }] });
    for (const chars of SIZES) {
      const name = `large-${chars}`;
      await post('/v1/collections', { name });
      const healthz = new Poller(() => fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(POLL_TIMEOUT_MS) }));
      const search = new Poller(() => post('/v1/collections/other/search', { query: 'maji safi', k: 1 }, AbortSignal.timeout(POLL_TIMEOUT_MS)));
      let done = false;
      const writeStarted = performance.now();
      const write = post(`/v1/collections/${name}/documents`, { documents: [{ id: 'large', text: lowercaseDocument(chars) }] }).then(async (res) => {
        done = true;
        if (!res.ok) throw new Error(`write of ${chars} characters: ${res.status} ${await res.text()}`);
        return (await res.json()) as { passages: number };
      });
      const polling = (async () => {
        while (!done) {
          await Promise.all([healthz.poll(), search.poll()]);
          await new Promise((resolve) => setTimeout(resolve, POLL_GAP_MS));
        }
      })();
      const { passages } = await write;
      const writeEnded = performance.now();
      await polling;
      rows.push({ chars, writeMs: round(writeEnded - writeStarted, 1), passages, healthz: healthz.result(writeEnded), search: search.result(writeEnded) });
      log(`${chars} characters: ${JSON.stringify(rows.at(-1))}`);
    }
  } finally {
    server.child.kill('SIGTERM');
    await server.exited;
  }
  const h = header('large-documents', 'scripts/bench-large-documents.ts', start, started);
  const pollCells = (p: Polls) => [`${p.answered}/${p.sent}`, p.latencyMs.p50, p.latencyMs.max, p.longestSilenceMs];
  const head = ['characters', 'write ms', 'passages', 'healthz answered', 'healthz p50 ms', 'healthz max ms', 'healthz longest silence ms', 'search answered', 'search p50 ms', 'search max ms', 'search longest silence ms'];
  const tableOf = (of: readonly Row[]) => table(head, of.map((r) => [r.chars, r.writeMs, r.passages, ...pollCells(r.healthz), ...pollCells(r.search)]));
  const before = fs.existsSync(BEFORE.file) ? (JSON.parse(fs.readFileSync(BEFORE.file, 'utf8')) as { rows: Row[]; load: { start: { loadavg: number[] } } }) : undefined;
  const markdown = [
    '# Large documents: write latency and responsiveness',
    '',
    `${machineLine(h)}.`,
    '',
    `One document without lang per size, lowercase words without punctuation (one sentence), written to the real server (default encoder); meanwhile /healthz and a search on another collection are polled one at a time, ${POLL_GAP_MS} ms apart, ${POLL_TIMEOUT_MS} ms timeout (a 60,000-character warm-up write first starts the worker threads). "Longest silence": the longest time without an answer while the write was in flight.`,
    '',
    tableOf(rows),
    '',
    ...(before
      ? [
          `Before (commit ${BEFORE.commit}: splitting of the whole text, language identified per passage, all on the event loop; this script run there, load average ${before.load.start.loadavg.join(' / ')} at start, \`${path.basename(BEFORE.file)}\`):`,
          '',
          tableOf(before.rows),
          '',
        ]
      : []),
  ].join('\n');
  writeReport('large-documents', { ...h, pollGapMs: POLL_GAP_MS, pollTimeoutMs: POLL_TIMEOUT_MS, rows }, markdown);
}

await main();
