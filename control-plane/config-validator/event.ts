/** The event AppConfig sends a LAMBDA validator. */
import * as z from 'zod';

export const validatorEventSchema = z.looseObject({
  applicationId: z.string().min(1),
  configurationProfileId: z.string().min(1),
  configurationVersion: z.string().min(1),
  /** The configuration content, base64-encoded. */
  content: z.string(),
  uri: z.string().optional(),
});
export type ValidatorEvent = z.infer<typeof validatorEventSchema>;
