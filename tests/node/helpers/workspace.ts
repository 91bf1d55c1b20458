/** Throwaway copies of the repository's content, for tests that break or extend it. */
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { join, resolve } from 'node:path'

const ROOT = resolve('.')

/**
 * A folder with a copy of content/ and links to src/ and node_modules/, under test-results/.
 * `worker: true` copies what `wrangler dev` needs instead (src/ copied, so that its
 * `../content` import finds the copy, plus wrangler.toml and migrations/).
 */
export function contentWorkspace(options: { worker?: boolean } = {}): { root: string; cleanup: () => void } {
  mkdirSync(join(ROOT, 'test-results'), { recursive: true })
  const root = mkdtempSync(join(ROOT, 'test-results', 'ws-'))
  cpSync(join(ROOT, 'content'), join(root, 'content'), { recursive: true })
  if (options.worker) {
    for (const part of ['src', 'scripts', 'migrations', 'wrangler.toml', 'tsconfig.json', 'worker-configuration.d.ts', 'package.json']) {
      cpSync(join(ROOT, part), join(root, part), { recursive: true })
    }
  } else {
    symlinkSync(join(ROOT, 'src'), join(root, 'src'))
  }
  symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'))
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) }
}
