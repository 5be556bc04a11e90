/**
 * Where localdb files live, shared by the import that writes them and the stores that read them.
 *
 * Locally: `{dataDir}/localdb/{namespace}/items-{version}.mdb` plus `current.json`, a manifest naming the
 * live file. Publishing a new build writes the manifest to a temporary name and renames it over the
 * old one (atomic on POSIX), so a reader sees either the old or the new file, never a half-built one.
 * In the cloud: one gzipped file per namespace at `localdbs/{namespace}/items.mdb.gz` in the staging
 * bucket.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const MANIFEST_NAME = 'current.json';

export interface LocaldbManifest {
  /** File name of the live store, inside the namespace folder. */
  file: string;
  version: number;
  items: number;
  /** ISO time the store was built; compared with the source file's modification time. */
  builtAt: string;
  /** The catalogue file it was built from, when a configuration's `sourceFile` named one. */
  source?: string;
}

export function localdbObjectKey(namespace: string): string {
  return `localdbs/${namespace}/items.mdb.gz`;
}

export function localdbDir(dataDir: string, namespace: string): string {
  return join(dataDir, 'localdb', namespace);
}

/** A fresh, unused file name for a build of `version`. */
export function localdbFileName(version: number): string {
  return `items-${version}-${randomUUID().slice(0, 8)}.mdb`;
}

/** The manifest of a namespace folder, or undefined when nothing was published there yet. */
export async function readManifest(dir: string): Promise<LocaldbManifest | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, MANIFEST_NAME), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return JSON.parse(text) as LocaldbManifest;
}

/** `readManifest` for start-up paths that must not defer (opening a local store on creation). */
export function readManifestSync(dir: string): LocaldbManifest | undefined {
  let text: string;
  try {
    text = readFileSync(join(dir, MANIFEST_NAME), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return JSON.parse(text) as LocaldbManifest;
}

/**
 * Makes `manifest.file` the live store of `dir`, then deletes the files of earlier builds (a process
 * still reading one keeps its open mapping until it swaps).
 */
export async function publishLocaldb(dir: string, manifest: LocaldbManifest): Promise<void> {
  const temporary = join(dir, `${MANIFEST_NAME}.${randomUUID().slice(0, 8)}.tmp`);
  await writeFile(temporary, `${JSON.stringify(manifest, null, 2)}\n`);
  await rename(temporary, join(dir, MANIFEST_NAME));
  for (const name of await readdir(dir)) {
    if (name.startsWith('items-') && name.endsWith('.mdb') && name !== manifest.file) {
      await removeLocaldbFile(join(dir, name));
    }
  }
}

/** Deletes an LMDB file and its lock file. */
export async function removeLocaldbFile(path: string): Promise<void> {
  await rm(path, { force: true });
  await rm(`${path}-lock`, { force: true });
}
