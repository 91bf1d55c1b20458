/** Types of scripts/code-key.mjs (plain JavaScript: it runs before anything is compiled). */
export declare const RELOAD_STAMP: string
export declare function codeKey(): string
