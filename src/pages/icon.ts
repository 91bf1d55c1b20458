/** The site icon (Atom `icon`, JSON Feed `favicon`, the pages' favicon): a serif "H" on the accent colour. */
export const ICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="12" fill="#9b1c1c"/><text x="32" y="46" font-family="Georgia,serif" font-size="40" font-weight="bold" text-anchor="middle" fill="#fff">H</text></svg>`
