import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import { describe, expect, test } from 'vitest';
import { edgeCode } from '../../infra/bundling/edge-code.ts';
import { readDefinition } from '../../infra/constructs/state-machines.ts';
import { LOAD_ITEM_METADATA_ASL, SYNC_RESOURCES_ASL } from '../../infra/paths.ts';

const dir = mkdtempSync(join(tmpdir(), 'p13n-infra-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('state machine definitions', () => {
  test('the committed ASL files name exactly the function ARNs the app substitutes', () => {
    expect(() =>
      readDefinition(SYNC_RESOURCES_ASL, {
        GenerateOpenApiFunctionArn: 1,
        SyncCacheSettingsFunctionArn: 1,
        SyncDynamoDbTablesFunctionArn: 1,
      }),
    ).not.toThrow();
    expect(() => readDefinition(LOAD_ITEM_METADATA_ASL, { LoadItemMetadataFunctionArn: 1 })).not.toThrow();
  });

  test('a definition missing a substitution, or naming an unknown one, fails synth naming both', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: an ASL substitution, not a template
    const task = { Type: 'Task', Resource: '${OtherArn}', End: true };
    const asl = file('partial.asl.json', JSON.stringify({ StartAt: 'A', States: { A: task } }));
    expect(() => readDefinition(asl, { LoadItemMetadataFunctionArn: 1 })).toThrow(
      /partial\.asl\.json: expected the substitutions LoadItemMetadataFunctionArn; missing LoadItemMetadataFunctionArn; unknown OtherArn/,
    );
  });

  test('a definition that is not JSON fails synth', () => {
    expect(() => readDefinition(file('broken.asl.json', '{ "StartAt": '), {})).toThrow(SyntaxError);
  });
});

describe('edge-auth code', () => {
  const values = {
    P13N_COGNITO_USER_POOL_ID: 'us-east-1_Pool',
    P13N_COGNITO_CLIENT_ID: 'client42',
    P13N_COGNITO_REGION: 'us-east-1',
  };

  test('literal settings are written into the bundle where the handler reads them', () => {
    const entry = file(
      'reads-all.ts',
      'export const handler = async () => [process.env.P13N_COGNITO_USER_POOL_ID, process.env.P13N_COGNITO_CLIENT_ID, "https://cognito-idp." + process.env.P13N_COGNITO_REGION + ".amazonaws.com"];',
    );
    const code = edgeCode(entry, values);
    expect(code).toContain('"us-east-1_Pool"');
    expect(code).toContain('"client42"');
    expect(code).toContain('https://cognito-idp.us-east-1.amazonaws.com');
    expect(code).not.toContain('process.env');
    expect(code).toMatch(/module\.exports/);
  });

  test('token settings become a CloudFormation join over the code', () => {
    const entry = file(
      'reads-tokens.ts',
      'export const handler = async () => [process.env.P13N_COGNITO_USER_POOL_ID, process.env.P13N_COGNITO_CLIENT_ID, process.env.P13N_COGNITO_REGION];',
    );
    const stack = new Stack(new App(), 'S');
    const pool = new CfnParameter(stack, 'Pool').valueAsString;
    const resolved = stack.resolve(edgeCode(entry, { ...values, P13N_COGNITO_USER_POOL_ID: pool }));
    expect(resolved['Fn::Join'][1]).toContainEqual({ Ref: 'Pool' });
  });

  test('a handler that never reads one of the settings fails synth', () => {
    const entry = file(
      'reads-two.ts',
      'export const handler = async () => [process.env.P13N_COGNITO_USER_POOL_ID, process.env.P13N_COGNITO_CLIENT_ID];',
    );
    expect(() => edgeCode(entry, values)).toThrow(/never reads process\.env\.P13N_COGNITO_REGION/);
  });
});
