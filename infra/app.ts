/**
 * The CDK app entry (`cdk.json` runs it with tsx): reads the deployment settings from the context and
 * synthesises the stacks. Without credentials the account stays unresolved and the region falls back
 * to us-east-1, so `npm run synth` works anywhere. The AWS Solutions rule pack (cdk-nag) checks every
 * synth and deploy: an unacknowledged finding prints the rule report and fails.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { definePersonalizationApis } from './personalization-apis.ts';
import { InvalidSettingsError, parseSettings } from './settings.ts';

const app = new App();
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
try {
  const settings = parseSettings((key) => app.node.tryGetContext(key));
  definePersonalizationApis(app, settings, {
    account: process.env.CDK_DEFAULT_ACCOUNT,
    region: process.env.CDK_DEFAULT_REGION ?? 'us-east-1',
  });
} catch (error) {
  if (!(error instanceof InvalidSettingsError)) throw error;
  console.error(error.message);
  process.exit(1);
}
app.synth();
