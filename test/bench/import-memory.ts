/**
 * Benchmark: peak memory of a streaming localdb import. Imports generated gzip catalogues of growing
 * size, each in a fresh child process, and prints the peak RSS of each: if the import streams, the peak
 * stays flat while the file grows.
 *
 *   npm run bench:import            # 50,000 and 200,000 lines
 *   npm run bench:import -- 1000000 # any sizes, comma-separated
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importItems } from '../../contracts/item-metadata/import-items.ts';
import { writeGzipCatalogue } from '../helpers/catalogue.ts';
import { rssParts } from './rss.ts';

interface Figures {
  lines: number;
  gzipMb: number;
  seconds: number;
  baselineMb: number;
  peakMb: number;
  /** Peak anonymous (heap and native buffers) and file-backed (LMDB's memory map) parts of RSS. */
  peakAnonMb: number;
  peakFileMb: number;
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

async function measure(lines: number): Promise<Figures> {
  const dir = mkdtempSync(join(tmpdir(), 'p13n-bench-import-'));
  try {
    const file = join(dir, 'items.jsonl.gz');
    await writeGzipCatalogue(file, lines);
    globalThis.gc?.();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    let peakAnon = 0;
    let peakFile = 0;
    const sample = () => {
      peak = Math.max(peak, process.memoryUsage().rss);
      const parts = rssParts();
      peakAnon = Math.max(peakAnon, parts.anon);
      peakFile = Math.max(peakFile, parts.file);
    };
    const sampler = setInterval(sample, 5);
    const started = performance.now();
    const report = await importItems({
      namespace: 'bench',
      config: { type: 'localdb' },
      source: createReadStream(file),
      clients: {},
      dataDir: join(dir, 'data'),
    });
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    sample();
    if (report.imported !== lines) throw new Error(`imported ${report.imported} of ${lines}`);
    return {
      lines,
      gzipMb: mb(statSync(file).size),
      seconds,
      baselineMb: mb(baseline),
      peakMb: mb(peak),
      peakAnonMb: mb(peakAnon),
      peakFileMb: mb(peakFile),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const [mode, arg] = process.argv.slice(2);
if (mode === '--child') {
  process.stdout.write(JSON.stringify(await measure(Number(arg))));
} else {
  const sizes = (mode ?? '50000,200000').split(',').map(Number);
  const self = fileURLToPath(import.meta.url);
  const parts = sizes.map((lines) => {
    const child = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', self, '--child', String(lines)], {
      encoding: 'utf8',
    });
    if (child.status !== 0) throw new Error(child.stderr);
    const f = JSON.parse(child.stdout) as Figures;
    return (
      `${f.lines} lines (${f.gzipMb} MB gzip) in ${f.seconds.toFixed(2)} s: peak RSS ${f.peakMb} MB ` +
      `(+${(f.peakMb - f.baselineMb).toFixed(1)} over ${f.baselineMb}; anon ${f.peakAnonMb}, LMDB map/file ${f.peakFileMb})`
    );
  });
  console.log(`import-memory (localdb): ${parts.join(' | ')}`);
}
