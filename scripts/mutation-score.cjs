#!/usr/bin/env node
// Prints the mutation score of each mutated module from Stryker's JSON report and fails when one
// is under the bar (issue 11: at least 85% per core module). Stryker's own `thresholds.break`
// judges the total only, which lets a well-tested module hide a poorly tested one.
//
// score = (killed + timed out) / (killed + timed out + survived + no coverage), as Stryker counts it;
// mutants that are ignored, or that fail to compile or run, count for nothing.
//
// Usage: node scripts/mutation-score.cjs [reports/mutation/mutation.json] [--min 85]
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const args = process.argv.slice(2);
const minAt = args.indexOf('--min');
const min = minAt === -1 ? 85 : Number(args[minAt + 1]);
const file =
  args.find((arg, i) => !arg.startsWith('--') && (minAt === -1 || i !== minAt + 1)) ?? 'reports/mutation/mutation.json';

const report = JSON.parse(fs.readFileSync(file, 'utf8'));
const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

let failing = 0;
const rows = Object.entries(report.files)
  .map(([name, { mutants }]) => {
    const detected = mutants.filter((m) => DETECTED.has(m.status)).length;
    const valid = detected + mutants.filter((m) => UNDETECTED.has(m.status)).length;
    return {
      name: path.relative(process.cwd(), path.resolve(name)),
      detected,
      valid,
      score: valid === 0 ? 100 : (100 * detected) / valid,
    };
  })
  .sort((a, b) => a.score - b.score);

for (const { name, detected, valid, score } of rows) {
  const ok = score >= min;
  if (!ok) failing += 1;
  console.log(
    `${ok ? 'ok  ' : 'FAIL'} ${score.toFixed(1).padStart(5)}%  ${String(detected).padStart(4)}/${String(valid).padEnd(4)} ${name}`,
  );
}
if (failing > 0) {
  console.error(`${failing} module(s) under ${min}%`);
  process.exitCode = 1;
}
