/** JSON Feed 1.1 schema check (tests/fixtures/jsonfeed-1.1.schema.json) with a validator that runs in workerd. */
import { Validator } from '@cfworker/json-schema'
import schema from '../fixtures/jsonfeed-1.1.schema.json'

const validator = new Validator(schema as object, '2020-12', false)

/** The schema errors of a JSON Feed document; empty when it is valid. */
export function jsonFeedErrors(feed: unknown): string[] {
  const result = validator.validate(feed)
  return result.valid ? [] : result.errors.map((e) => `${e.instanceLocation}: ${e.error}`)
}
