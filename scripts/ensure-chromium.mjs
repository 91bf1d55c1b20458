// Part of `npm test`: the browser test drives Debian's Chromium with playwright-core (which never
// downloads a browser of its own). Installs the Debian package when it is missing.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

if (existsSync(CHROMIUM)) process.exit(0)

if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
  console.error(`ensure-chromium: ${CHROMIUM} is missing; install it with \`sudo apt-get install chromium\` (or set CHROMIUM_PATH)`)
  process.exit(1)
}
console.log(`ensure-chromium: ${CHROMIUM} is missing; installing Debian's chromium package (once per machine)`)
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
try {
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env })
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium', 'fonts-dejavu-core'], { stdio: 'inherit', env })
} catch (err) {
  console.error(`ensure-chromium: apt-get failed (${err.message}); the browser test needs ${CHROMIUM}`)
  process.exit(1)
}
if (!existsSync(CHROMIUM)) {
  console.error(`ensure-chromium: apt-get finished but ${CHROMIUM} is still missing`)
  process.exit(1)
}
