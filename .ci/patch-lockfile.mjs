// Adds package-lock entries for platform-specific optional packages (other OSes/CPUs) that the local npm
// registry mirror does not serve: without them `npm ci` refuses the lock ("Missing: … from lock file").
// Run `node .ci/patch-lockfile.mjs` after regenerating package-lock.json from scratch.
import { readFileSync, writeFileSync } from 'node:fs';

const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
const plat = {
  'cli-win32-x64': ['win32', 'x64'],
  'cli-win32-arm64': ['win32', 'arm64'],
  'cli-darwin-x64': ['darwin', 'x64'],
  'cli-darwin-arm64': ['darwin', 'arm64'],
  'cli-linux-x64-musl': ['linux', 'x64', 'musl'],
  'cli-linux-arm64-musl': ['linux', 'arm64', 'musl'],
  'cli-android-x64': ['android', 'x64'],
  'cli-android-arm64': ['android', 'arm64'],
  'msgpackr-extract-darwin-arm64': ['darwin', 'arm64'],
  'msgpackr-extract-darwin-x64': ['darwin', 'x64'],
  'msgpackr-extract-linux-arm': ['linux', 'arm'],
  'msgpackr-extract-win32-x64': ['win32', 'x64'],
};
let added = 0;
for (const [parent, prefix] of [
  ['@biomejs/biome', '@biomejs/'],
  ['msgpackr-extract', '@msgpackr-extract/'],
]) {
  const entry = lock.packages[`node_modules/${parent}`];
  if (!entry) continue;
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    if (lock.packages[key]) continue;
    const p = plat[name.slice(prefix.length)];
    if (!p) throw new Error(`no platform for ${name}`);
    lock.packages[key] = { version, cpu: [p[1]], ...(p[2] ? { libc: [p[2]] } : {}), optional: true, os: [p[0]] };
    added++;
  }
}
lock.packages = Object.fromEntries(
  Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)),
);
writeFileSync('package-lock.json', `${JSON.stringify(lock, null, 2)}\n`);
console.log(`added ${added} entries`);
