// Where the tests find what they read outside src/: the feed snapshot kept in the project, and the
// specification in ../shared/spec, which only CI and the project's own machines have beside the clone.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The official Azure retirement feed (Azure/EOL, MIT), kept under test/fixtures with its licence and source. */
export const RETIREMENT_FEED_SNAPSHOT = fileURLToPath(
  new URL('../fixtures/azure-eol/service_list.json', import.meta.url),
);

/** Where the specification lives: ../shared/spec beside the project (a clone elsewhere has none). */
export const SPEC_DIR = fileURLToPath(new URL('../../../shared/spec/', import.meta.url));

/** A file of the specification, or undefined when ../shared/spec is not beside the project. */
export function specFile(name: string): string | undefined {
  const path = `${SPEC_DIR}${name}`;
  return existsSync(path) ? path : undefined;
}

/**
 * The title of a conformance check against the specification: as given when the spec is there, else one that
 * says why it is left out (vitest lists it as skipped with this title, so a run without the spec says so).
 */
export function specTitle(title: string, path: string | undefined): string {
  return path === undefined
    ? `${title} — skipped: ../shared/spec is not beside this clone (CI has it)`
    : title;
}
