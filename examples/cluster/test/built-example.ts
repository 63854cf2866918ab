// This example's tests run its built files; the helpers are shared by every example.
import { fileURLToPath } from 'node:url';
import { builtExample } from '@cbor-rpc/test-support/built-example';

export type { Finished, Running } from '@cbor-rpc/test-support/built-example';
export const { exampleDir, built, startBuilt, runBuilt } = builtExample(fileURLToPath(new URL('..', import.meta.url)));
