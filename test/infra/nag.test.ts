/**
 * The AWS Solutions rule pack (cdk-nag) gates every synth: the combination tests synthesise with it
 * (synth.ts), so an unacknowledged finding fails them; these tests show the gate closes on a new
 * finding and that every acknowledgement is specific: on a construct below the stacks, with a reason.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, test } from 'vitest';
import { definePersonalizationApis } from '../../infra/personalization-apis.ts';
import { parseSettings } from '../../infra/settings.ts';
import { contextOf, VALID_COMBINATIONS } from './combinations.ts';
import { acknowledgements } from './nag-report.ts';
import { ACCOUNT } from './synth.ts';

function app(context: Record<string, unknown>) {
  const a = new App({
    outdir: mkdtempSync(join(tmpdir(), 'p13n-nag-')),
    context: { ...context, 'aws:cdk:bundling-stacks': [] },
  });
  Validations.of(a).addPlugins(new AwsSolutionsChecks(a));
  const stacks = definePersonalizationApis(
    a,
    parseSettings((key) => a.node.tryGetContext(key)),
    {
      account: ACCOUNT,
      region: 'eu-west-1',
    },
  );
  return { app: a, stacks };
}

describe('cdk-nag gate', { timeout: 120_000 }, () => {
  test('an unacknowledged finding fails synth with the rule report', () => {
    const { app: a, stacks } = app({});
    new Bucket(stacks.main, 'Unlogged');
    expect(() => a.synth()).toThrow(/AwsSolutions-S1[\s\S]*Unlogged/);
  });

  test('every acknowledgement sits on a construct below the stacks and gives a reason', () => {
    // (aws-cdk-lib acknowledges some of its own CloudFormation-Validate rules; only ours are checked.)
    const all = VALID_COMBINATIONS.flatMap((c) => acknowledgements(app(contextOf(c)).app)).filter((ack) =>
      ack.id.startsWith('AwsSolutions-'),
    );
    expect(all.length).toBeGreaterThan(0);
    for (const ack of all) {
      expect(ack.path.split('/').length, ack.path).toBeGreaterThan(1);
      expect(ack.id).toMatch(/^AwsSolutions-[A-Z]+\d+(\[.+\])?$/);
      expect(ack.reason.length, `${ack.id} on ${ack.path}`).toBeGreaterThan(40);
    }
    // None on the app or a stack (that would silence a rule everywhere).
    const { app: a } = app({});
    for (const scope of [a, ...a.node.children.filter((c) => Stack.isStack(c))]) {
      expect(scope.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)).toEqual([]);
    }
  });
});
