// Only the client class: aws-clients.ts imports this module, not the package, so esbuild drops the commands nobody sends.
export { DynamoDBClient } from '@aws-sdk/client-dynamodb';
