/**
 * The CloudFormation custom-resource event the generate-config handler receives through the CDK
 * Provider framework (which reports the returned PhysicalResourceId/Data, or a thrown error, to
 * CloudFormation). Property values arrive as strings.
 */
import * as z from 'zod';

export const generateConfigPropsSchema = z.looseObject({
  applicationId: z.string().min(1),
  environmentId: z.string().min(1),
  configurationProfileId: z.string().min(1),
  deploymentStrategyId: z.string().min(1),
  /** `all`, a comma-separated list of dataset group names or ARNs, or a list; empty means generate nothing. */
  datasetGroups: z.union([z.string(), z.array(z.string())]).optional(),
});
export type GenerateConfigProps = z.infer<typeof generateConfigPropsSchema>;

export const customResourceEventSchema = z.discriminatedUnion('RequestType', [
  z.looseObject({ RequestType: z.literal('Create'), ResourceProperties: generateConfigPropsSchema }),
  z.looseObject({
    RequestType: z.literal('Update'),
    PhysicalResourceId: z.string(),
    ResourceProperties: generateConfigPropsSchema,
    OldResourceProperties: z.looseObject({ datasetGroups: z.union([z.string(), z.array(z.string())]).optional() }),
  }),
  z.looseObject({
    RequestType: z.literal('Delete'),
    PhysicalResourceId: z.string(),
    ResourceProperties: generateConfigPropsSchema,
  }),
]);
export type CustomResourceEvent = z.infer<typeof customResourceEventSchema>;

/** Normalises the datasetGroups property: undefined when nothing should be generated. */
export function datasetGroupSelection(value: string | string[] | undefined): 'all' | string[] | undefined {
  const list = (Array.isArray(value) ? value : (value ?? '').split(',')).map((s) => s.trim()).filter(Boolean);
  if (list.length === 0) return undefined;
  if (list.length === 1 && list[0]?.toLowerCase() === 'all') return 'all';
  return list;
}
