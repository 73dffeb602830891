import { fileURLToPath } from 'node:url';

/** Workspace packages resolve to their TypeScript sources in tests, so no build is needed between edits. */
export const workspaceAliases = {
  '@capi-bridge/contract': fileURLToPath(new URL('./packages/contract/src/index.ts', import.meta.url)),
};
