/** Types of scripts/folder-stats.mjs (plain JavaScript: scripts/build.mjs runs it before anything is compiled). */
export interface FolderStats {
  /** The folder's entries, sorted by name (as `Array.prototype.sort` sorts strings). */
  names: string[]
  sizes: Float64Array
  mtimes: Float64Array
}

/** Whether the article folder under `root` is large enough for the thread to pay (the last build's cache state says so). */
export declare function worthAThread(root: string): boolean

/**
 * Lists and stats `dir` on a thread of its own, and on the caller's thread once it is free;
 * rejects on any failure (the build then stats itself). `listing`: a file to keep the listing in,
 * reused while the folder's mtime says no entry was added, removed or renamed.
 */
export declare function statFolder(dir: string, listing?: string): Promise<FolderStats>

/** The entries of `stats` that `isFile` keeps, in order, with their figures. */
export declare function filesOf(stats: FolderStats, isFile: (name: string) => boolean): FolderStats

/** Where a build keeps the listing of content/articles/ (relative to the checkout). */
export declare const LISTING: string

/** `statFolder` of the checkout's `content/articles/`, with its listing kept in `LISTING` (not trusted when `clean`). */
export declare function statArticles(root: string, clean?: boolean): Promise<FolderStats>

/** `content/articles/` of the checkout listed on the caller's thread, by `statFolder`'s rule for a kept listing (kept again; not trusted when `clean`). */
export declare function listArticles(root: string, clean?: boolean): string[]
