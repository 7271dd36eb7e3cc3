/**
 * Imports point one way: core ← text ← models ← indexer ← server / eval ← bin (corpora beside indexer; the
 * published client imports nothing of ours). scripts/ and test/ may import anything and nothing imports them.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** For each source folder, the other folders it may import. */
const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  core: [],
  text: ['core'],
  models: ['core', 'text'],
  corpora: ['core', 'text', 'models'],
  indexer: ['core', 'text', 'models'],
  server: ['core', 'text', 'models', 'indexer'],
  eval: ['core', 'text', 'models', 'indexer'],
  bin: ['core', 'text', 'models', 'corpora', 'indexer', 'server', 'eval'],
  clients: [],
};
const MAY_IMPORT_ANYTHING = ['scripts', 'test'];

interface BackwardsImport {
  file: string;
  imports: string;
}

const folderOf = (relativeFile: string): string => relativeFile.split('/')[0]!;

/** The imports of `source` (a file at `relativeFile` from the root) that its folder may not make. */
function backwardsImports(relativeFile: string, source: string): BackwardsImport[] {
  const from = folderOf(relativeFile);
  const allowed = MAY_IMPORT[from] ?? [];
  return ts
    .preProcessFile(source, true, true)
    .importedFiles.map((f) => f.fileName)
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => path.posix.normalize(path.posix.join(path.posix.dirname(relativeFile), specifier)))
    .filter((target) => folderOf(target) !== from && !allowed.includes(folderOf(target)))
    .map((target) => ({ file: relativeFile, imports: target }));
}

function sourceFiles(folder: string): string[] {
  return fs
    .readdirSync(path.join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => `${folder}/${f.split(path.sep).join('/')}`);
}

test('the direction table covers every compiled source folder', () => {
  const tsconfig = JSON.parse(fs.readFileSync(path.join(ROOT, 'tsconfig.json'), 'utf8')) as { include: string[] };
  assert.deepEqual([...tsconfig.include].sort(), [...Object.keys(MAY_IMPORT), ...MAY_IMPORT_ANYTHING].sort());
});

test('the check sees static, type-only and dynamic imports that point backwards, and allows forward ones', () => {
  const source = [
    "import { Engine } from '../../indexer/engine.js';",
    "import type { Report } from '../../eval/report.js';",
    "const cli = await import('../../bin/runtime.js');",
    "import { TafutaError } from '../../core/errors.js';",
    "import { table } from './table.js';",
  ].join('\n');
  assert.deepEqual(
    backwardsImports('models/translate/x.ts', source).map((b) => b.imports),
    ['indexer/engine.js', 'eval/report.js', 'bin/runtime.js'],
  );
  assert.deepEqual(backwardsImports('server/x.ts', "import { runEval } from '../eval/run.js';").map((b) => b.imports), ['eval/run.js']);
  assert.deepEqual(backwardsImports('bin/x.ts', "import { runEval } from '../eval/run.js';"), []);
});

test('no source folder imports a folder that depends on it', () => {
  const files = Object.keys(MAY_IMPORT).flatMap(sourceFiles);
  assert.ok(files.length > 100, `found only ${files.length} source files`);
  const backwards = files.flatMap((file) => backwardsImports(file, fs.readFileSync(path.join(ROOT, file), 'utf8')));
  assert.deepEqual(backwards, []);
});
