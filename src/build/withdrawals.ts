/**
 * @module
 * Withdrawn stories in the compiled archive (src/archive/format.ts): the manifest's list of them
 * and each listing's positions of them. Withdrawn stories keep their blocks, keys and places in
 * listings, so a withdrawal that takes effect after the build needs no redeploy: the worker skips
 * them from their instant on (src/archive/withdrawals.ts). Both lists stay small (a newsroom
 * withdraws a handful of stories a year) and are absent when nothing is withdrawn.
 */
import type { ListingMeta, WithdrawalRecord } from '../archive/format'
import type { Story } from './collection'

/** What is read of a story here: a Story, or the incremental build's cached facts of one. */
type Withdrawable = Pick<Story, 'id' | 'withdrawn'>

export interface Withdrawals<S extends Withdrawable = Story> {
  list: WithdrawalRecord[]
  /** Index in `list` of each withdrawn story. */
  index: ReadonlyMap<S, number>
}

/** The manifest's list, by story number (`oldestFirst[ord]` is story `ord`). */
export function withdrawalRecords<S extends Withdrawable>(oldestFirst: readonly S[]): Withdrawals<S> {
  const list: WithdrawalRecord[] = []
  const index = new Map<S, number>()
  oldestFirst.forEach((s, ord) => {
    if (!s.withdrawn) return
    index.set(s, list.length)
    list.push({ ord, id: s.id, at: s.withdrawn.at.getTime(), reason: s.withdrawn.reason })
  })
  return { list, index }
}

/** A listing's withdrawn stories by position (newest-first `stories`), or nothing when it has none. */
export function withdrawnPositions<S extends Withdrawable>(stories: readonly S[], withdrawals: Withdrawals<S>): Pick<ListingMeta, 'withdrawn'> {
  if (withdrawals.list.length === 0) return {}
  const withdrawn: [number, number][] = []
  stories.forEach((s, position) => {
    const i = withdrawals.index.get(s)
    if (i !== undefined) withdrawn.push([position, i])
  })
  return withdrawn.length ? { withdrawn } : {}
}
