/** Builds the CLI bundle once per test run, so spawned `p13n` processes run the current sources. */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  execFileSync(process.execPath, [fileURLToPath(new URL('../cli/build.mjs', import.meta.url))], { stdio: 'inherit' });
}
