/**
 * Synthesises the app in-process for a context, with asset bundling skipped (one dedicated test
 * bundles for real) and the AWS Solutions rule pack (cdk-nag) registered as on `npm run synth`, so
 * synthesis throws the rule report on any unacknowledged finding; returns the templates to assert on.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { definePersonalizationApis, type PersonalizationApisStacks } from '../../infra/personalization-apis.ts';
import { type DeploymentSettings, parseSettings } from '../../infra/settings.ts';

export const ACCOUNT = '123456789012';

export interface Synthesized {
  readonly settings: DeploymentSettings;
  readonly stacks: PersonalizationApisStacks;
  readonly main: Template;
  readonly edge: Template | undefined;
}

export function synth(context: Record<string, unknown>, region = 'eu-west-1'): Synthesized {
  const app = new App({
    outdir: mkdtempSync(join(tmpdir(), 'p13n-cdk-')),
    context: { ...context, 'aws:cdk:bundling-stacks': [] },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const settings = parseSettings((key) => app.node.tryGetContext(key));
  const stacks = definePersonalizationApis(app, settings, { account: ACCOUNT, region });
  return {
    settings,
    stacks,
    main: Template.fromStack(stacks.main),
    edge: stacks.edge && Template.fromStack(stacks.edge),
  };
}
