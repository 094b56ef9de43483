import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Load the compiled CommonJS build with Node itself (it requires the native addon).
    server: { deps: { external: [/\/dist\//] } },
    testTimeout: 60000,
    pool: 'forks',
  },
});
