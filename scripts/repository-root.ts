import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Finds the repository root above `start`, the first folder with a package.json, from the sources or a build. */
export function repositoryRoot(start: string = __dirname): string {
  let directory = start;
  while (!existsSync(join(directory, 'package.json'))) {
    const parent = dirname(directory);
    if (parent === directory) throw new Error(`no package.json above ${start}`);
    directory = parent;
  }
  return directory;
}
