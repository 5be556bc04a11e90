/** Loads JSON event fixtures from test/fixtures/control-plane, fresh on every call so a test may change its copy. */
import { readFileSync } from 'node:fs';

const dir = new URL('../../fixtures/control-plane/', import.meta.url).pathname;

export function fixture(name: string): Record<string, any> {
  return JSON.parse(readFileSync(`${dir}${name}`, 'utf8'));
}
