import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileReadout, metricCells } from '../../experiments/report.ts';
import { validateConfig } from '../../schema/validate-config.ts';
import { launchChromium } from '../helpers/browser.ts';
import { listeningUrl, type Running, startServe } from '../helpers/serve-process.ts';
import { fixtureConfigJson, fixtureRecords } from './fixture.ts';

describe('the experiments dashboard and readout served by p13n serve', () => {
  let dir: string;
  let configFile: string;
  let events: string;
  let serve: Running;
  let url: string;
  let browser: Browser;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'p13n-dashboard-'));
    events = join(dir, 'events.jsonl');
    // 56% of users in control against 50/50 weights: a sample-ratio mismatch the page must flag.
    await writeFile(events, fixtureRecords({ users: 2000, seed: 5, rates: [0.2, 0.24], controlShare: 0.56 }));
    const config = structuredClone(fixtureConfigJson);
    config.namespaces.shop.eventTargets = [{ type: 'file', path: events }];
    configFile = join(dir, 'config.json');
    await writeFile(configFile, JSON.stringify(config));
    serve = startServe(['--config', configFile, '--port', '0']);
    [url, browser] = await Promise.all([listeningUrl(serve), launchChromium()]);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    serve?.child.kill('SIGTERM');
    await serve?.exited;
    await rm(dir, { recursive: true, force: true });
  });

  it('answers the namespace readout as JSON, and a 404 naming an unknown namespace', async () => {
    const res = await fetch(`${url}/experiments/shop`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const readout = (await res.json()) as any;
    expect(readout.malformedCount).toBe(3);
    expect(readout.malformed[0]).toEqual({ file: events, line: 4, reason: 'is not valid JSON' });
    expect(readout.experiments.map((e: { feature: string }) => e.feature)).toEqual(['home-ab', 'empty-ab']);
    expect(readout.experiments[0].sampleRatio.mismatch).toBe(true);
    expect(readout.experiments[1].note).toBe('no exposures yet: nothing to compare');

    const missing = await fetch(`${url}/experiments/nowhere`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({
      code: 'NamespaceNotFound',
      message: "namespace 'nowhere' is not configured",
    });
    expect((await fetch(`${url}/experiments/assets/package.json`)).status).toBe(404);
    const elsewhere = await fetch(`${url}/experiments/retail/uPlot.min.css`);
    expect(elsewhere.status).toBe(404);
    expect(await elsewhere.json()).toMatchObject({
      code: 'NotFound',
      message: 'no route for GET /experiments/retail/uPlot.min.css',
    });
  });

  it('draws each variation with the numbers of the report, interval bars, a chart and the SRM warning', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
    const external: string[] = [];
    page.on('request', (req) => {
      if (!req.url().startsWith(url)) external.push(req.url());
    });
    await page.goto(`${url}/experiments?namespace=shop`);
    await page.waitForSelector('#experiments[data-ready="true"]', { timeout: 20_000 });
    const screenshot = join(dir, 'experiments-dashboard.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    expect((await stat(screenshot)).size).toBeGreaterThan(20_000);
    expect(external).toEqual([]);

    const validated = validateConfig(
      JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(configFile, 'utf8'))),
    );
    if (!validated.ok) throw new Error('fixture configuration is invalid');
    const report = await fileReadout(validated.resolved, { namespace: 'shop', now: new Date() });
    const home = report.experiments[0]!;
    for (const metric of home.metrics) {
      const cells = await page
        .locator(`[data-experiment="home-ab"] [data-metric="${metric}"] table.readout tbody tr`)
        .evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent)));
      expect(cells).toEqual(home.variations.map((v) => metricCells(v, v.metrics[metric]!)));
      const bars = page.locator(`[data-experiment="home-ab"] [data-metric="${metric}"] .interval`);
      expect(await bars.count()).toBe(2);
      expect(await page.locator(`[data-chart="home-ab/${metric}"] canvas`).count()).toBeGreaterThan(0);
    }
    const warning = await page.locator('[data-experiment="home-ab"] .srm-warning').textContent();
    expect(warning).toContain(
      `users split ${home.variations.map((v) => v.exposedUsers).join(' / ')} against weights 50 / 50`,
    );
    expect(await page.locator('[data-experiment="home-ab"] .first-exposure').textContent()).toBe(
      `First exposure: ${home.variations.map((v) => `${v.variation} ${v.firstExposure}`).join(', ')}`,
    );
    expect(await page.locator('[data-experiment="empty-ab"] .note').textContent()).toBe(
      'no exposures yet: nothing to compare',
    );
    expect(await page.locator('.malformed').textContent()).toContain('3 malformed line(s) left out');
    await page.close();
  });
});
