import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { pino } from 'pino';
import { createTerminal } from '../../bin/terminal.js';
import { CLI } from '../helpers/cli-server.js';

/** A terminal that records what is written to it. */
function fakeTerminal() {
  let written = '';
  const stream = Object.assign(
    new Writable({
      write(chunk: Buffer | string, _encoding, done) {
        written += String(chunk);
        done();
      },
    }),
    { isTTY: true, columns: 100 },
  );
  // What a person sees, line by line: escape sequences dropped, carriage returns start a line again.
  const lines = () => written.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').split(/[\r\n]+/).filter((l) => l.trim() !== '');
  return { stream, lines };
}

test('log lines written while a progress bar shows are printed above it, never on its line', () => {
  const { stream, lines } = fakeTerminal();
  const terminal = createTerminal(stream);
  const logger = pino({ base: undefined }, terminal.logDestination());
  logger.info('before the bar');
  const progress = terminal.startProgress('indexing |{bar}| {value}/{total} docs', {});
  for (let i = 1; i <= 5; i++) {
    progress.update(i * 10, 50);
    logger.warn({ batch: i }, `batch ${i} done`);
  }
  progress.stop();
  logger.info('after the bar');
  const seen = lines();
  for (const message of ['before the bar', 'batch 1 done', 'batch 5 done', 'after the bar']) {
    const line = seen.find((l) => l.includes(message));
    assert.ok(line, `"${message}" was printed: ${JSON.stringify(seen)}`);
    assert.doesNotMatch(line, /indexing \|/, `"${message}" shares a line with the bar: ${line}`);
    assert.match(line, /^\[\d\d:\d\d:\d\d\] (INFO|WARN): /, 'readable, not JSON');
  }
  assert.ok(seen.some((l) => /indexing \|.*\| 50\/50 docs/.test(l)), 'the bar reached its end');
});

test('off a terminal log lines stay JSON; TAFUTA_LOG_FORMAT chooses, and a bad value is bad input', () => {
  const { stream } = fakeTerminal();
  let json = '';
  const plain = Object.assign(new Writable({ write: (c: Buffer, _e, done) => ((json += String(c)), done()) }), { isTTY: false });
  pino({ base: undefined }, createTerminal(plain).logDestination()).info('hello');
  assert.equal((JSON.parse(json) as { msg: string }).msg, 'hello');
  assert.ok(createTerminal(stream).logDestination('json'));

  const run = (format: string) => spawnSync(process.execPath, [CLI, 'collections', '-d', '/nonexistent-tafuta-dir'], { encoding: 'utf8', env: { ...process.env, TAFUTA_LOG_FORMAT: format } });
  const bad = run('yaml');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /TAFUTA_LOG_FORMAT must be "json" or "pretty" \(got "yaml"\)/);
  assert.equal(run('pretty').status, 2, 'a valid format reaches the verb (which refuses the missing directory)');
});
