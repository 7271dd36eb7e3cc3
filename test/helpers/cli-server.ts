/**
 * The real `tafuta serve` in a child process (port 0 on 127.0.0.1, open API, hashed-ngram-v1 default encoder),
 * resolved once it prints its "tafuta serving on <url>" line. A server that exits or stays silent first is a
 * rejection (and is killed), never a hang.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../bin/tafuta.js', import.meta.url));

export interface CliServer {
  child: ChildProcess;
  url: string;
  /** The whole "tafuta serving on …" line. */
  announcement: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

export interface CliServerOptions {
  /** `serve` (default) or `demo` (indexes the shipped demo corpus first). */
  verb?: 'serve' | 'demo';
  /** Arguments after `<verb> --host 127.0.0.1 --port 0 --data-dir DIR`. */
  args?: readonly string[];
  /** Variables added to the server's environment. */
  env?: NodeJS.ProcessEnv;
  startTimeoutMs?: number;
}

export function startCliServer(dataDir: string, options: CliServerOptions = {}): Promise<CliServer> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TAFUTA_LOG_LEVEL: 'warn',
    TAFUTA_DEFAULT_ENCODER: 'hashed-ngram-v1',
    TAFUTA_ADMIN_KEY: '',
    TAFUTA_READ_KEY: '',
    ...options.env,
  };
  delete env.TAFUTA_HOST;
  delete env.TAFUTA_PORT;
  const args = [CLI, options.verb ?? 'serve', '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir, ...(options.args ?? [])];
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start: ${stderr}`));
    }, options.startTimeoutMs ?? 20_000);
    child.stdout!.on('data', (c: Buffer) => {
      stdout += c.toString();
      // The whole line: a chunk may end inside the URL.
      const m = /tafuta serving on (\S+)[^\n]*\n/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1]!, announcement: m[0].trim(), exited, stderr: () => stderr });
      }
    });
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before serving: ${stderr}`));
    });
  });
}
