/** The whole stylesheet: readable type, one column, fine on a phone. Inlined, so a page is one request. */
export const STYLES = `
:root { color-scheme: light dark; --ink: #1b1b1b; --muted: #5c5c5c; --rule: #d9d9d9; --accent: #9b1c1c; --paper: #fffdf8; }
@media (prefers-color-scheme: dark) { :root { --ink: #ececec; --muted: #a8a8a8; --rule: #3a3a3a; --accent: #f08080; --paper: #161616; } }
* { box-sizing: border-box; }
body { margin: 0; background: var(--paper); color: var(--ink); font: 1.0625rem/1.6 Georgia, "Times New Roman", serif; }
a { color: inherit; text-decoration-color: var(--accent); text-underline-offset: 0.15em; }
.wrap { max-width: 42rem; margin: 0 auto; padding: 0 1rem; }
header.site { border-bottom: 3px double var(--rule); padding: 1rem 0 0.5rem; }
header.site .name { font-size: 2rem; font-weight: bold; text-decoration: none; letter-spacing: -0.02em; }
nav { font: 0.9rem/1.4 system-ui, sans-serif; display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; margin-top: 0.25rem; }
.kicker { font: bold 0.8rem/1.2 system-ui, sans-serif; text-transform: uppercase; letter-spacing: 0.06em; color: var(--accent); }
h1 { font-size: clamp(1.7rem, 6vw, 2.4rem); line-height: 1.15; margin: 0.4rem 0; }
.dek { font-size: 1.2rem; color: var(--muted); margin: 0.5rem 0 1rem; }
.meta { font: 0.9rem/1.5 system-ui, sans-serif; color: var(--muted); }
figure { margin: 1.25rem 0; }
figure img { max-width: 100%; height: auto; display: block; }
figcaption { font: 0.875rem/1.45 system-ui, sans-serif; color: var(--muted); border-left: 3px solid var(--rule); padding-left: 0.6rem; }
figcaption small { display: block; font-size: 0.8rem; }
blockquote { margin: 1.5rem 0; padding: 0.25rem 0 0.25rem 1rem; border-left: 4px solid var(--accent); font-style: italic; }
.body p { margin: 0 0 1.1rem; }
ul.stories { list-style: none; padding: 0; margin: 0; }
ul.stories li { padding: 1rem 0; border-bottom: 1px solid var(--rule); }
ul.stories h2 { font-size: 1.3rem; line-height: 1.25; margin: 0.2rem 0; }
ul.stories p { margin: 0.25rem 0; }
.tags { font: 0.9rem/1.5 system-ui, sans-serif; display: flex; flex-wrap: wrap; gap: 0.5rem; padding: 0; list-style: none; }
.tags a { border: 1px solid var(--rule); border-radius: 1rem; padding: 0.1rem 0.6rem; text-decoration: none; }
footer { margin: 2rem 0; padding-top: 1rem; border-top: 1px solid var(--rule); font: 0.85rem/1.5 system-ui, sans-serif; color: var(--muted); }
.feeds a { margin-right: 0.75rem; }
`
