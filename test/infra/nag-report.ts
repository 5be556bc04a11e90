/**
 * Prints the AWS Solutions (cdk-nag) findings of every supported combination, counted per rule, so a
 * change's effect on the findings can be measured: `npm run nag:report` (`-- --by-rule` lists the
 * rules of each combination too, `-- --acknowledged` every acknowledgement with its reason).
 * Acknowledged findings are not counted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { definePersonalizationApis } from '../../infra/personalization-apis.ts';
import { parseSettings } from '../../infra/settings.ts';
import { contextOf, describeCombination, VALID_COMBINATIONS } from './combinations.ts';
import { ACCOUNT } from './synth.ts';

export interface Acknowledgement {
  readonly path: string;
  readonly id: string;
  readonly reason: string;
}

/** Every `Validations.of(construct).acknowledge()` in the app's tree, with the construct's path. */
export function acknowledgements(app: App): Acknowledgement[] {
  return app.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

/** Unacknowledged findings of one synthesised app: a count per rule (with the finding suffix dropped). */
export function nagFindings(
  context: Record<string, unknown>,
  region = 'eu-west-1',
  onApp: (app: App) => void = () => {},
): Map<string, number> {
  const outdir = mkdtempSync(join(tmpdir(), 'p13n-nag-'));
  try {
    const app = new App({ outdir, context: { ...context, 'aws:cdk:bundling-stacks': [] } });
    definePersonalizationApis(
      app,
      parseSettings((key) => app.node.tryGetContext(key)),
      { account: ACCOUNT, region },
    );
    app.synth();
    onApp(app);
    const counts = new Map<string, number>();
    for (const violation of new AwsSolutionsChecks().validateScope(app).violations) {
      const rule = violation.ruleName.replace(/\[.*$/, '');
      counts.set(rule, (counts.get(rule) ?? 0) + violation.violatingResources.length);
    }
    return counts;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('nag-report.ts')) report();

function report() {
  const byRule = process.argv.includes('--by-rule');
  const acknowledged = new Map<string, Set<string>>();
  const collect = (app: App) => {
    for (const ack of acknowledgements(app)) {
      const key = `${ack.id}\n    ${ack.reason}`;
      if (!acknowledged.has(key)) acknowledged.set(key, new Set());
      acknowledged.get(key)!.add(ack.path.split('/').slice(1).join('/'));
    }
  };
  const totals = new Map<string, number>();
  const rows: Array<[string, Map<string, number>]> = [
    ['default context (us-east-1)', nagFindings({}, 'us-east-1', collect)],
    ...VALID_COMBINATIONS.map(
      (c) => [describeCombination(c), nagFindings(contextOf(c), 'eu-west-1', collect)] as [string, Map<string, number>],
    ),
  ];
  for (const [name, counts] of rows) {
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    console.log(`${String(total).padStart(4)}  ${name}`);
    for (const [rule, n] of counts) totals.set(rule, (totals.get(rule) ?? 0) + n);
    if (byRule) {
      for (const [rule, n] of [...counts].sort()) console.log(`        ${rule}: ${n}`);
    }
  }
  console.log('\nby rule over all combinations:');
  for (const [rule, n] of [...totals].sort((a, b) => b[1] - a[1])) console.log(`  ${rule}: ${n}`);
  if (process.argv.includes('--acknowledged')) {
    console.log('\nacknowledged (rule, reason, constructs):');
    for (const [key, paths] of [...acknowledged].sort())
      console.log(`  ${key}\n    on ${[...paths].sort().join(', ')}`);
  }
}
