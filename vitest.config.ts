import { cloudflareTest } from '@cloudflare/vitest-plugin'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    // `.ci/run` reads the JSON report for its closing "N passed, M failed" line.
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
    projects: [
      {
        // Routes, feeds and property tests, inside workerd, through the worker's HTTP interface.
        plugins: [cloudflareTest({ wrangler: { configPath: './wrangler.toml' } })],
        test: { name: 'worker', include: ['tests/worker/**/*.test.{ts,tsx}'], testTimeout: 120_000 },
      },
      {
        // Build-time checks (content validation, generated index) and the real-server tests:
        // `wrangler dev` with a headless browser, and Atom against the RFC 4287 RELAX NG schema.
        test: { name: 'node', include: ['tests/node/**/*.test.ts'], environment: 'node', testTimeout: 120_000, hookTimeout: 120_000 },
      },
    ],
  },
})
