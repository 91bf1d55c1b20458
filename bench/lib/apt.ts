/** Debian packages the bench needs (wrk, hugo, time), installed on first use: root and Debian's apt are all it takes. */
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'

/** Installs `pkg` unless `binary` exists. */
export function ensureDebianPackage(pkg: string, binary: string): void {
  if (existsSync(binary)) return
  console.log(`bench: installing ${pkg} from Debian (once per machine)`)
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env })
  execFileSync('apt-get', ['install', '-y', '-qq', pkg], { stdio: 'inherit', env })
}
