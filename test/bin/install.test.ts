/**
 * The install a newcomer runs (`npm ci`): npm must accept the project's configuration without warnings, and the
 * onnxruntime-node postinstall (which downloads CUDA libraries from nuget.org on Linux) must stay skipped through
 * package.json's `allowScripts` (npm ≥ 11.16 skips a dependency denied there), not through an `.npmrc` key npm
 * does not know.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { PACKAGE_ROOT } from '../../bin/runtime.js';

const npm = (...args: string[]) => spawnSync('npm', args, { cwd: PACKAGE_ROOT, encoding: 'utf8', env: { ...process.env, npm_config_loglevel: 'warn' } });

test('npm reads the project configuration without warnings', () => {
  const listed = npm('config', 'list');
  assert.equal(listed.status, 0, listed.stderr);
  assert.doesNotMatch(listed.stderr, /warn/i, 'npm warns about the project configuration');
});

test("onnxruntime-node's install script is denied in package.json, where npm reads the policy", () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { allowScripts: Record<string, boolean>; engines: Record<string, string> };
  assert.equal(pkg.allowScripts['onnxruntime-node'], false);
  assert.match(pkg.engines.npm ?? '', /^>=11\.(1[6-9]|[2-9]\d)/, 'allowScripts denials are honoured from npm 11.16');
  const version = npm('--version').stdout.trim().split('.').map(Number);
  assert.ok(version[0]! > 11 || (version[0] === 11 && version[1]! >= 16), `this npm (${version.join('.')}) does not honour allowScripts`);
});
