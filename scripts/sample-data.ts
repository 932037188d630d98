import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { repositoryRoot } from './repository-root';

const FIXTURES = join(repositoryRoot(), 'test', 'fixtures');

export function fixturePath(name: string): string {
  return join(FIXTURES, name);
}

/**
 * Reads the bundled 10,000-row sample and empties every start date. The sample's dates lie in the
 * future, so a demo or test that wants every target due at once clears them.
 */
export async function sampleWithoutStartDates(): Promise<string> {
  const csv = await readFile(fixturePath('targets-sample.csv'), 'utf8');
  return csv
    .split('\n')
    .map((line, index) => (index === 0 || line === '' ? line : line.replace(/^((?:"[^"]*"|[^,]*),)[^,]*/, '$1')))
    .join('\n');
}
