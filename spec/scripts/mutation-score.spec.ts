import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const SCRIPT = path.join(__dirname, '..', '..', 'scripts', 'mutation-score.cjs');

/** A Stryker JSON report for one module with `killed` killed and `survived` surviving mutants. */
function report(module: string, killed: number, survived: number): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'mutation-score-')), 'mutation.json');
  const mutants = [
    ...Array.from({ length: killed }, () => ({ status: 'Killed' })),
    ...Array.from({ length: survived }, () => ({ status: 'Survived' })),
  ];
  writeFileSync(file, JSON.stringify({ files: { [module]: { mutants } } }));
  return file;
}

function score(...args: string[]): { status: number | null; stdout: string } {
  const run = spawnSync(process.execPath, [SCRIPT, ...args], { cwd: tmpdir(), encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout };
}

describe('scripts/mutation-score.cjs', () => {
  it('reads the report named as its only argument', () => {
    const run = score(report('lib/named.ts', 9, 1));
    expect(run.stdout).toContain('lib/named.ts');
    expect(run.stdout).toMatch(/90\.0%\s+9\/10/);
    expect(run.status).toBe(0);
  });

  it('fails a module under 85% and takes another bar from --min', () => {
    const file = report('lib/weak.ts', 8, 2);
    expect(score(file).status).toBe(1);
    expect(score(file, '--min', '80').status).toBe(0);
    expect(score('--min', '80', file).status).toBe(0);
  });
});
