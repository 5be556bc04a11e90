/**
 * Builds the app's stacks for a set of deployment settings: the main stack, plus a us-east-1 stack
 * for Lambda@Edge (OAuth2-Cognito) and the CloudFront web ACL (webAcl) when they meet CloudFront and
 * the main stack is in another region. Every resource of both carries the `resourceTags`.
 */
import { type App, Stack, Tags } from 'aws-cdk-lib';
import type { DeploymentSettings } from './settings.ts';
import { PersonalizationApisStack } from './stacks/personalization-apis-stack.ts';

/** Lambda@Edge functions are created in this region only. */
const EDGE_REGION = 'us-east-1';

export interface DeploymentTarget {
  /** Undefined keeps the account environment-agnostic (synth without credentials). */
  readonly account?: string;
  readonly region: string;
}

export interface PersonalizationApisStacks {
  readonly main: PersonalizationApisStack;
  readonly edge?: Stack;
}

/** The main stack's id (and CloudFormation name) for these settings. */
export function stackName(settings: DeploymentSettings): string {
  return `${settings.applicationName}-${settings.environmentName}`;
}

/**
 * @example
 * const app = new App();
 * definePersonalizationApis(app, parseSettings((k) => app.node.tryGetContext(k)), { region: 'eu-west-1' });
 * app.synth();
 */
export function definePersonalizationApis(
  app: App,
  settings: DeploymentSettings,
  target: DeploymentTarget,
): PersonalizationApisStacks {
  const id = stackName(settings);
  const needsEdgeStack =
    (settings.cognito !== undefined || settings.webAcl) && settings.cloudFront && target.region !== EDGE_REGION;
  const edge = needsEdgeStack
    ? new Stack(app, `${id}-edge`, {
        env: { account: target.account, region: EDGE_REGION },
        description: `Personalization APIs ${id}: edge resources (Lambda@Edge, Cognito, CloudFront web ACL)`,
        crossRegionReferences: true,
      })
    : undefined;
  const main = new PersonalizationApisStack(app, id, {
    env: { account: target.account, region: target.region },
    description: `Personalization APIs ${id}`,
    // The CloudFront web ACL's ARN comes from the us-east-1 stack.
    crossRegionReferences: edge !== undefined && settings.webAcl,
    settings,
    edgeStack: edge,
  });
  for (const stack of [main, edge]) {
    if (stack === undefined) continue;
    for (const [key, value] of Object.entries(settings.resourceTags)) Tags.of(stack).add(key, value);
  }
  return { main, edge };
}
