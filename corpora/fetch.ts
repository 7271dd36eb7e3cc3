/**
 * The only module that talks to apt and npm. Everything downstream reads extracted directories.
 * Layout under cacheDir: debs/*.deb, npm/*.tgz, extracted/deb/<pkg>/, extracted/npm/<name>/ (each with a
 * .done marker, so an interrupted extraction is redone).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BuildLog, PackageRecord } from './types.js';

interface RunResult { code: number; stdout: string; stderr: string }

function run(command: string, args: string[], cwd: string, stdinFrom?: { command: string; args: string[] }): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, stdio: [stdinFrom ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
    // A missing tool (no apt-get/dpkg on this machine) is a failed command, not a crash of the build.
    child.on('error', (err) => resolve({ code: 127, stdout, stderr: `${stderr}${command}: ${err.message}` }));
    if (stdinFrom) {
      const producer = spawn(stdinFrom.command, stdinFrom.args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
      producer.on('error', (err) => { stderr += `${stdinFrom.command}: ${err.message}`; child.stdin?.end(); });
      producer.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
      producer.stdout.pipe(child.stdin!);
    }
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** `apt-get download` names files `<pkg>_<version with ':' as %3a>_<arch>.deb`. */
async function cachedDeb(debDir: string, name: string): Promise<{ file: string; version: string } | null> {
  const files = (await readdir(debDir)).filter((f) => f.startsWith(`${name}_`) && f.endsWith('.deb')).sort();
  const file = files[files.length - 1];
  if (!file) return null;
  return { file: join(debDir, file), version: decodeURIComponent(file.split('_')[1] ?? '') };
}

export interface FetchedDeb { record: PackageRecord; debPath: string | null }

/**
 * Downloads missing .debs (batched; a failed batch is retried one package at a time so one bad name does
 * not sink the rest) and reports every package, cached or not.
 */
export async function fetchDebs(names: readonly string[], cacheDir: string, logger: BuildLog,
  onEach?: (name: string) => void): Promise<Map<string, FetchedDeb>> {
  const debDir = join(cacheDir, 'debs');
  await mkdir(debDir, { recursive: true });
  const result = new Map<string, FetchedDeb>();
  const missing: string[] = [];
  for (const name of names) {
    const hit = await cachedDeb(debDir, name);
    if (hit) {
      result.set(name, { record: { name, kind: 'deb', version: hit.version, status: 'cached', file: hit.file }, debPath: hit.file });
      onEach?.(name);
    } else {
      missing.push(name);
    }
  }
  if (missing.length) logger.info(`downloading ${missing.length} Debian packages (${names.length - missing.length} cached)`);
  const BATCH = 40;
  for (let i = 0; i < missing.length; i += BATCH) {
    const batch = missing.slice(i, i + BATCH);
    const batchRun = await run('apt-get', ['download', '-q', ...batch], debDir);
    const errors = new Map<string, string>();
    if (batchRun.code !== 0) {
      for (const name of batch) {
        if (await cachedDeb(debDir, name)) continue;
        const single = await run('apt-get', ['download', '-q', name], debDir);
        if (single.code !== 0) errors.set(name, single.stderr.trim().split('\n').pop() ?? `exit ${single.code}`);
      }
    }
    for (const name of batch) {
      const hit = await cachedDeb(debDir, name);
      if (hit) {
        result.set(name, { record: { name, kind: 'deb', version: hit.version, status: 'downloaded', file: hit.file }, debPath: hit.file });
      } else {
        let error = errors.get(name) ?? 'apt-get download produced no file';
        if (/Unable to locate/u.test(error)) error += ' (are the apt lists current? run apt-get update)';
        logger.error(`package ${name} could not be fetched: ${error}`);
        result.set(name, { record: { name, kind: 'deb', version: null, status: 'failed', error }, debPath: null });
      }
      onEach?.(name);
    }
  }
  return result;
}

/**
 * Extracts a .deb into extracted/deb/<name>. With `members` (tar wildcards) only matching files are
 * unpacked — the gettext packages hold ~3 GB of other files; without, the whole package (`dpkg -x`).
 * `archive: 'control'` unpacks members of the control archive instead (debconf `./templates`), into
 * extracted/control/<name>, so that a package read both ways keeps one directory per archive.
 */
export async function extractDeb(cacheDir: string, name: string, debPath: string, members?: readonly string[],
  archive: 'data' | 'control' = 'data'): Promise<string> {
  const dir = join(cacheDir, 'extracted', archive === 'data' ? 'deb' : 'control', name);
  const marker = join(dir, '.done');
  const wanted = JSON.stringify(members ?? 'all');
  if (existsSync(marker) && (await readFile(marker, 'utf8')) === wanted) return dir;
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const tarfile = archive === 'data' ? '--fsys-tarfile' : '--ctrl-tarfile';
  const res = members || archive === 'control'
    ? await run('tar', ['-x', '-C', dir, '--wildcards', ...(members ?? [])], dir, { command: 'dpkg-deb', args: [tarfile, debPath] })
    : await run('dpkg', ['-x', debPath, dir], dir);
  // tar exits 2 when a wildcard matched nothing; that only means the package has no such files.
  const onlyNotFound = res.stderr.split('\n').filter((l) => l.trim()).every((l) => /Not found in archive|Exiting with failure status/u.test(l));
  if (res.code !== 0 && !(members && onlyNotFound)) throw new Error(`extracting ${name}: ${res.stderr.trim()}`);
  await writeFile(marker, wanted);
  return dir;
}

/** `npm pack NAME@VERSION` into npm/, extracted to extracted/npm/<name>-<version>/package. */
export async function fetchNpm(name: string, version: string, cacheDir: string, logger: BuildLog):
  Promise<{ record: PackageRecord; dir: string | null }> {
  const npmDir = join(cacheDir, 'npm');
  await mkdir(npmDir, { recursive: true });
  const tgz = join(npmDir, `${name.replace(/^@/u, '').replace(/\//gu, '-')}-${version}.tgz`);
  let status: PackageRecord['status'] = 'cached';
  if (!existsSync(tgz)) {
    status = 'downloaded';
    const res = await run('npm', ['pack', '--silent', `${name}@${version}`, '--pack-destination', npmDir], npmDir);
    if (res.code !== 0 || !existsSync(tgz)) {
      const error = res.stderr.trim().split('\n').pop() ?? `exit ${res.code}`;
      logger.error(`npm package ${name}@${version} could not be fetched: ${error}`);
      return { record: { name, kind: 'npm', version, status: 'failed', error }, dir: null };
    }
  }
  const dir = join(cacheDir, 'extracted', 'npm', `${name}-${version}`);
  if (!existsSync(join(dir, '.done'))) {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    const res = await run('tar', ['-xzf', tgz, '-C', dir], dir);
    if (res.code !== 0) {
      const error = `extracting: ${res.stderr.trim()}`;
      logger.error(`npm package ${name}@${version}: ${error}`);
      return { record: { name, kind: 'npm', version, status: 'failed', error }, dir: null };
    }
    await writeFile(join(dir, '.done'), '');
  }
  return { record: { name, kind: 'npm', version, status, file: tgz }, dir: join(dir, 'package') };
}
