/** Loads the sample configurations (every `samples/**\/*.json` that is a configuration). */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('../../../', import.meta.url).pathname;

export interface Sample {
  name: string;
  config: Record<string, unknown>;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.json') ? [join(dir, e.name)] : [],
  );
}

export function sampleConfigs(): Sample[] {
  // samples/connectors holds connector jobs (config.json of another schema, JSON-lines catalogues).
  return walk(join(root, 'samples'))
    .filter((file) => !file.startsWith(join(root, 'samples', 'connectors')))
    .map((file) => ({ name: relative(root, file), config: JSON.parse(readFileSync(file, 'utf8')) }))
    .filter((s) => typeof s.config === 'object' && s.config !== null && 'namespaces' in s.config);
}

export function sample(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(root, 'samples', name), 'utf8'));
}
