import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin'
import { defineConfig } from 'vitest/config'

// The real schema: migrations/ applied to the test D1 by tests/worker/apply-migrations.ts.
const migrations = await readD1Migrations('./migrations')

export default defineConfig({
  test: {
    // `.ci/run` reads the JSON report for its closing "N passed, M failed" line.
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
    projects: [
      {
        // Routes, feeds, hub and property tests, inside workerd, through the worker's handlers.
        plugins: [
          cloudflareTest({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: { bindings: { TEST_MIGRATIONS: migrations, ADMIN_TOKEN: 'test-admin-token' } },
          }),
        ],
        test: {
          name: 'worker',
          include: ['tests/worker/**/*.test.{ts,tsx}'],
          setupFiles: ['./tests/worker/apply-migrations.ts'],
          testTimeout: 120_000,
        },
      },
      {
        // Build-time checks (content validation, generated index) and the real-server tests:
        // `wrangler dev` with a headless browser and a WebSub subscriber, Atom against RFC 4287's schema.
        test: { name: 'node', include: ['tests/node/**/*.test.ts'], environment: 'node', testTimeout: 180_000, hookTimeout: 120_000 },
      },
    ],
  },
})
