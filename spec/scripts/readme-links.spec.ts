import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const REPOSITORY = 'https://github.com/axios-client-credentials/axios-client-credentials';
const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;

/** Every `](target)` of a Markdown link or image in the README. */
const targets = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]!);

describe('README.md links, as the npm registry page shows them', () => {
  it('has no relative link (run `bash scripts/readme-links.sh` to make them absolute)', () => {
    expect(targets.filter((target) => !/^(https?:|mailto:|#)/.test(target))).toEqual([]);
  });

  it('points every link into this repository at a file or folder that exists on its main branch', () => {
    const own = targets.filter((target) => target.startsWith(`${REPOSITORY}/`));
    expect(own.length).toBeGreaterThan(10);
    const missing = own
      .map((target) =>
        target
          .slice(REPOSITORY.length)
          .replace(/^\/(blob|tree)\/main\//, '')
          .replace(/[?#].*$/, ''),
      )
      .filter((file) => !existsSync(path.join(ROOT, file)));
    expect(missing).toEqual([]);
  });
});

describe('package.json metadata', () => {
  it('names the repository, its homepage and where to report bugs', () => {
    expect({ repository: pkg['repository'], homepage: pkg['homepage'], bugs: pkg['bugs'] }).toEqual({
      repository: { type: 'git', url: `git+${REPOSITORY}.git` },
      homepage: `${REPOSITORY}#readme`,
      bugs: { url: `${REPOSITORY}/issues` },
    });
  });
});
