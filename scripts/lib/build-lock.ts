/**
 * One build at a time per checkout: `npm run dev` rebuilds on content edits in its own process
 * while wrangler may run `npm run build`'s command on a code edit, and both write `.herald/`.
 * The lock is a file naming its holder's pid; a holder that died leaves it stale, and it is taken over.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs'
import { join } from 'node:path'

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

export async function withBuildLock<T>(root: string, work: () => Promise<T>): Promise<T> {
  const dir = join(root, '.herald')
  const lock = join(dir, 'build.lock')
  mkdirSync(dir, { recursive: true })
  for (let waited = 0; ; waited += 50) {
    try {
      const fd = openSync(lock, 'wx')
      writeSync(fd, String(process.pid))
      closeSync(fd)
      break
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      const holder = Number(readFileSync(lock, 'utf8').trim() || NaN)
      if (!Number.isInteger(holder) || !alive(holder)) rmSync(lock, { force: true })
      else if (waited === 1000) console.error(`build: waiting for the build in process ${holder} to finish (${lock}: delete it if no build is running)`)
      await new Promise((r) => setTimeout(r, 50))
    }
  }
  try {
    return await work()
  } finally {
    rmSync(lock, { force: true })
  }
}
