/**
 * @module
 * Datelines as a newsroom writes them: "7:58 PM EDT, March 28, 2024", in the zone where the story
 * was filed, with the instant itself in `<time datetime>` for machines.
 */

import type { Datelines, Story } from '../content/story'

const formats = new Map<string, { time: Intl.DateTimeFormat; date: Intl.DateTimeFormat }>()

function formatsFor(timeZone: string) {
  let f = formats.get(timeZone)
  if (!f) {
    f = {
      time: new Intl.DateTimeFormat('en-US', { timeZone, hour: 'numeric', minute: '2-digit', timeZoneName: 'short' }),
      date: new Intl.DateTimeFormat('en-US', { timeZone, month: 'long', day: 'numeric', year: 'numeric' }),
    }
    formats.set(timeZone, f)
  }
  return f
}

export function dateline(instant: Date, timeZone: string): string {
  const { time, date } = formatsFor(timeZone)
  return `${time.format(instant)}, ${date.format(instant)}`
}

/** Date only, for lists: "March 28, 2024". */
export function shortDate(instant: Date, timeZone: string): string {
  return formatsFor(timeZone).date.format(instant)
}

/** A story's datelines, as the build formats them into the archive. */
export function datelinesOf(story: Pick<Story, 'published' | 'updated' | 'timeZone'>): Datelines {
  return { published: dateline(story.published, story.timeZone), updated: dateline(story.updated, story.timeZone), date: shortDate(story.published, story.timeZone) }
}
