/**
 * ARN parsing. Lenient on region and account so that the placeholder ARNs of sample configurations
 * (`arn:aws:personalize:[REGION]:[ACCOUNT]:campaign/[NAME]`) pass, strict on service and resource type.
 */

export interface Arn {
  partition: string;
  service: string;
  region: string;
  account: string;
  /** Everything after the account, e.g. `campaign/my-campaign` or `function:my-function`. */
  resource: string;
  /** `campaign`, `recommender`, `filter`, `function`, … */
  resourceType: string;
  /** The resource name after the type separator. */
  resourceName: string;
}

export function parseArn(value: string): Arn | undefined {
  const parts = value.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  const [, partition = '', service = '', region = '', account = ''] = parts;
  const resource = parts.slice(5).join(':');
  if (!/^aws[\w-]*$/.test(partition) || !service || !resource) return undefined;
  const sep = resource.search(/[/:]/);
  const resourceType = sep < 0 ? resource : resource.slice(0, sep);
  const resourceName = sep < 0 ? '' : resource.slice(sep + 1);
  return { partition, service, region, account, resource, resourceType, resourceName };
}

/** Returns a reason when `value` is not an ARN of `service` with one of `resourceTypes`, else undefined. */
export function arnProblem(value: string, service: string, resourceTypes: readonly string[]): string | undefined {
  const arn = parseArn(value);
  const expected = `arn:aws:${service}:<region>:<account>:${resourceTypes[0]}${service === 'lambda' ? ':' : '/'}<name>`;
  if (!arn) return `not an ARN; expected ${expected}`;
  if (arn.service !== service) return `expected a ${service} ARN, got a ${arn.service} ARN`;
  if (!resourceTypes.includes(arn.resourceType) || !arn.resourceName) {
    return `expected a ${resourceTypes.join(' or ')} ARN (${expected}), got resource '${arn.resource}'`;
  }
  return undefined;
}

/**
 * Turns a bare Personalize filter name into a filter ARN in the region and account of `relativeTo`
 * (the variation's ARN). ARNs are returned unchanged.
 */
export function filterArnFromName(filter: string, relativeTo: string | undefined): string | undefined {
  if (filter.startsWith('arn:')) return filter;
  const base = relativeTo ? parseArn(relativeTo) : undefined;
  if (!base) return undefined;
  return `arn:${base.partition}:personalize:${base.region}:${base.account}:filter/${filter}`;
}
