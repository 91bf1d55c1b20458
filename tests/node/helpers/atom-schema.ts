/** Atom documents against the RFC 4287 RELAX NG schema (tests/fixtures/atom/), with libxml2 (Node only). */
import { readFileSync } from 'node:fs'
import { RelaxNGValidator, XmlDocument } from 'libxml2-wasm'

let validator: RelaxNGValidator | undefined

/** The schema errors of an Atom document; empty when it is valid. */
export function atomSchemaErrors(xml: string): string[] {
  validator ??= RelaxNGValidator.fromDoc(XmlDocument.fromString(readFileSync('tests/fixtures/atom/atom.rng', 'utf8')))
  const doc = XmlDocument.fromString(xml)
  try {
    validator.validate(doc)
    return []
  } catch (err) {
    const details = (err as { details?: { message: string; line: number }[] }).details
    return details?.map((d) => `line ${d.line}: ${d.message.trim()}`) ?? [String(err)]
  } finally {
    doc.dispose()
  }
}
