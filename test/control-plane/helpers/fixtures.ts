/** Loads JSON event fixtures from test/fixtures/control-plane, cloned so a test may change its copy. */
import { readFileSync } from 'node:fs';

const dir = new URL('../../fixtures/control-plane/', import.meta.url).pathname;

export function fixture<T = any>(name: string): T {
  return JSON.parse(readFileSync(`${dir}${name}`, 'utf8')) as T;
}
