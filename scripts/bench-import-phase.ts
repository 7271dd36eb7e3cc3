/**
 * Issue 23 (docs/benchmarks.md §2.7): the import phase of `tafuta index` alone — read, split, encode, SQLite — in
 * wall and CPU seconds (all threads, and per thread). Runs `tafuta index --nice 0` into a fresh data directory,
 * samples /proc every 100 ms, watches SQLite's passage counter from a read-only connection, and stops the process
 * (SIGKILL) once the corpus's last passage is committed, so the graph phase is not run.
 * Run: `node dist/scripts/bench-import-phase.js <corpus.jsonl> <out dir> [repo root = this one]`; prints one JSON line.
 * "import" = first commit → last commit; start-up (models, workers) is before the first commit.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { PACKAGE_ROOT } from '../bin/runtime.js';

const [corpus, outDir, root = PACKAGE_ROOT] = process.argv.slice(2);
if (!corpus || !outDir) throw new Error('usage: bench-import-phase <corpus.jsonl> <out dir> [repo root]');
const passages = fs.readFileSync(corpus, 'utf8').split('\n').filter((line) => line.trim() !== '').length; // one passage per document
const TICKS_PER_SECOND = 100;

/** utime + stime of a /proc stat file, in seconds (the fields after the command name, which may hold spaces). */
function cpuSeconds(statFile: string): number {
  const stat = fs.readFileSync(statFile, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

function threadSeconds(pid: number, into: Map<string, number>): void {
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      into.set(tid, cpuSeconds(`/proc/${pid}/task/${tid}/stat`)); // a thread that ended keeps its last value
    } catch {
      // ended between the listing and the read
    }
  }
}

fs.rmSync(outDir, { recursive: true, force: true });
fs.mkdirSync(outDir, { recursive: true });
const dataDir = path.join(outDir, 'data');
const dbFile = path.join(dataDir, 'tafuta.db');
const loadStart = os.loadavg();
const started = performance.now();
const child = spawn(process.execPath, [path.join(root, 'dist/bin/tafuta.js'), 'index', '-c', 'bench', '-i', path.resolve(corpus), '-d', dataDir, '--nice', '0'], {
  stdio: ['ignore', 'ignore', fs.openSync(path.join(outDir, 'log'), 'w')],
});
const pid = child.pid!;
process.on('exit', () => child.kill('SIGKILL')); // also when this script fails
const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
let db: Database.Database | undefined;
let firstCommit: { seconds: number; cpu: number } | undefined;
const threads = new Map<string, number>();
for (;;) {
  await new Promise((resolve) => setTimeout(resolve, 100));
  if (child.exitCode !== null) throw new Error(`tafuta index ended (code ${child.exitCode}) before its last passage was seen; see ${outDir}/log`);
  const cpu = cpuSeconds(`/proc/${pid}/stat`);
  threadSeconds(pid, threads);
  if (!db && fs.existsSync(dbFile)) db = new Database(dbFile, { readonly: true, fileMustExist: true });
  let committed = 0;
  try {
    committed = (db?.prepare("SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'passages'), 0)").pluck().get() as number | undefined) ?? 0;
  } catch (error) {
    if (!/no such table/.test((error as Error).message)) throw error; // a database the migrations have not reached yet
  }
  const seconds = (performance.now() - started) / 1000;
  if (committed > 0 && !firstCommit) firstCommit = { seconds, cpu };
  if (committed >= passages && firstCommit) {
    child.kill('SIGKILL');
    const main = threads.get(String(pid)) ?? 0;
    const workers = [...threads].filter(([tid, s]) => tid !== String(pid) && s >= 0.5).map(([, s]) => s).sort((a, b) => b - a);
    const round = (x: number) => Math.round(x * 100) / 100;
    process.stdout.write(`${JSON.stringify({
      corpus,
      passages,
      root,
      startupSeconds: round(firstCommit.seconds),
      startupCpuSeconds: round(firstCommit.cpu),
      importSeconds: round(seconds - firstCommit.seconds),
      importCpuSeconds: round(cpu - firstCommit.cpu),
      mainThreadCpuSeconds: round(main),
      otherThreadsCpuSeconds: workers.map(round),
      load: { start: loadStart.map(round), end: os.loadavg().map(round) },
    })}\n`);
    break;
  }
}
db?.close();
await exited;
