import { defineProject } from 'vitest/config';
import { workspaceAliases } from '../../vitest.shared.js';

export default defineProject({
  resolve: { alias: workspaceAliases },
  define: { __DEBUG__: 'true', __LAZY_OUTCOME__: 'false' },
  test: { name: 'web-tag', include: ['src/**/*.test.ts', 'test/**/*.test.ts'], environment: 'happy-dom' },
});
