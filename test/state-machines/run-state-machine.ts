/**
 * Runs an ASL file of `state-machines/` with aws-local-stepfunctions the way it is deployed: the
 * `${...FunctionArn}` placeholders are substituted like CDK's definitionSubstitutions, each Task is
 * bound to a local handler by state name, and retries wait no time.
 */
import { readFileSync } from 'node:fs';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';

const dir = new URL('../../state-machines/', import.meta.url).pathname;

export const FUNCTION_ARN_PLACEHOLDERS = [
  'GenerateOpenApiFunctionArn',
  'SyncCacheSettingsFunctionArn',
  'SyncDynamoDbTablesFunctionArn',
  'LoadItemMetadataFunctionArn',
] as const;

export function readDefinitionText(file: string): string {
  return readFileSync(`${dir}${file}`, 'utf8');
}

export function loadDefinition(file: string): StateMachineDefinition {
  const text = readDefinitionText(file).replace(
    /\$\{(\w+)\}/g,
    (_, name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name.replace(/Arn$/, '')}`,
  );
  return JSON.parse(text) as StateMachineDefinition;
}

type LocalHandler = (input: any) => Promise<unknown>;

export async function runStateMachine(
  file: string,
  input: unknown,
  handlers: Record<string, LocalHandler>,
): Promise<unknown> {
  const machine = new StateMachine(loadDefinition(file));
  const execution = machine.run(input as any, {
    overrides: {
      taskResourceLocalHandlers: handlers as any,
      retryIntervalOverrides: Object.fromEntries(Object.keys(handlers).map((name) => [name, 0])),
    },
  });
  return execution.result;
}
