import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { POSTGRES_ADMIN_URL } from '../test/support/test-environment';
import { BenchReport, BenchRow, currentLoad, flagValue, formatNumber, median, RowCollector } from './support';

/**
 * Runs the comparisons one after the other and writes their figures to bench/RESULTS.md: a
 * summary table and a section per comparison, between markers, so earlier text stays as it is.
 *
 *   npm run bench                                   every comparison, 3 runs each
 *   npm run bench -- --only kannel,event-store      some of them
 *   npm run bench -- --runs 1 --import-runs 1
 *
 * Comparisons: kannel, event-store, import, replay, read-api. Each runs in its own process
 * from the build in bench/out/build, so a benchmark never shares an event loop with another.
 */
const BUILD_DIR = join(__dirname, '..');
const REPOSITORY = join(BUILD_DIR, '..', '..', '..');
const RESULTS_FILE = join(REPOSITORY, 'bench', 'RESULTS.md');
const REPORTS_DIR = join(REPOSITORY, 'bench', 'out', 'reports');

const COMPARISONS = ['kannel', 'event-store', 'import', 'replay', 'read-api'] as const;
type Comparison = (typeof COMPARISONS)[number];

const IMPORT_GOAL_SECONDS = 30;
const IMPORT_GOAL_RSS_MIB = 512;
const REPLAY_GOAL_EVENTS_PER_SECOND = 50_000;

const SUMMARY_BEGIN = '<!-- bench:summary -->';
const SUMMARY_END = '<!-- /bench:summary -->';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const only = flagValue(args, '--only');
  const selected = only === undefined ? [...COMPARISONS] : only.split(',').map((name) => name.trim());
  const unknown = selected.filter((name) => !(COMPARISONS as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`unknown comparison ${unknown.join(', ')}; expected some of ${COMPARISONS.join(', ')}`);
  const runs = Number(flagValue(args, '--runs') ?? 3);
  const importRuns = Number(flagValue(args, '--import-runs') ?? runs);
  mkdirSync(REPORTS_DIR, { recursive: true });

  const machine = await describeMachine();
  // Read before any run: the build was made just before this process started, and commits made meanwhile are not in it.
  const commit = commitOf();
  console.log(`bench: ${selected.join(', ')}; ${runs} run(s) each; ${machine}`);
  for (const name of selected as Comparison[]) {
    const started = new Date();
    const report = await runComparison(name, runs, importRuns);
    const command = `npm run bench -- --only ${name}${runs === 3 ? '' : ` --runs ${runs}`}${name === 'import' && importRuns !== runs ? ` --import-runs ${importRuns}` : ''}`;
    writeFileSync(join(REPORTS_DIR, `${name}.json`), `${JSON.stringify(report, null, 2)}\n`);
    updateResults(name, report, { command, started, machine, commit });
    console.log(`bench: ${name} written to bench/RESULTS.md`);
  }
}

async function runComparison(name: Comparison, runs: number, importRuns: number): Promise<BenchReport> {
  const json = join(REPORTS_DIR, `${name}.run.json`);
  switch (name) {
    case 'kannel':
    case 'event-store':
    case 'read-api':
      await runScript(`${name}.js`, ['--runs', String(runs), '--json', json]);
      return JSON.parse(readFileSync(json, 'utf8')) as BenchReport;
    case 'import':
      return runImport(importRuns);
    case 'replay':
      return runReplay(runs);
  }
}

/** Calls bench/import.ts as it is (its author owns it) and reads its per-run lines. */
async function runImport(runs: number): Promise<BenchReport> {
  const rows = new RowCollector();
  let load = currentLoad();
  await runScript('import.js', ['--profile', 'postgres', '--runs', String(runs)], (line) => {
    const run = /^postgres run \d+: ([\d.]+) s, .*peak RSS (\d+) MiB/.exec(line);
    if (run === null) return;
    rows.record('1,000,000 rows to queryable targets', 's', Number(run[1]), load, { higherIsBetter: false, goal: IMPORT_GOAL_SECONDS });
    rows.record('peak RSS of the service', 'MiB', Number(run[2]), load, { higherIsBetter: false, goal: IMPORT_GOAL_RSS_MIB });
    load = currentLoad();
  });
  return {
    comparison: 'import',
    title: 'CSV import of 1,000,000 rows, PostgreSQL profile (`bench/import.ts`)',
    rows: rows.toRows(),
    ratios: [
      { label: 'import time / goal', ours: '1,000,000 rows to queryable targets' },
      { label: 'peak RSS / goal', ours: 'peak RSS of the service' },
    ],
    notes: [
      'Runs `bench/import.ts --profile postgres`: the standalone app on a fresh database, the clock from the first byte uploaded until ' +
        '`GET /campaigns/:id` counts every row as pending. The load shown is read before the first run and after each run.',
    ],
  };
}

/**
 * Calls bench/replay.ts when it exists and reads every `N events/s` of its lines that name a run.
 * Without the script, the section states that nothing was measured.
 */
async function runReplay(runs: number): Promise<BenchReport> {
  const title = 'Replay: rebuild every read model from the events';
  if (!existsSync(join(BUILD_DIR, 'bench', 'replay.js'))) {
    return {
      comparison: 'replay',
      title,
      rows: [],
      ratios: [],
      notes: ['Not measured yet: `bench/replay.ts` does not exist in this tree.'],
    };
  }
  const rows = new RowCollector();
  const lines: string[] = [];
  await runScript('replay.js', ['--runs', String(runs)], (line) => {
    lines.push(line);
    const run = /run \d+.*?([\d,]+(?:\.\d+)?) events\/s \(1-min load before: ([\d.]+)\)/.exec(line);
    if (run !== null) {
      rows.record('rebuild of every read model', 'events/s', Number(run[1].replace(/,/g, '')), Number(run[2]), {
        goal: REPLAY_GOAL_EVENTS_PER_SECOND,
      });
    }
  });
  const parsed = rows.toRows();
  return {
    comparison: 'replay',
    title,
    rows: parsed,
    ratios: [{ label: 'replay rate / goal', ours: 'rebuild of every read model' }],
    notes:
      parsed.length > 0
        ? ['Figures read from the output of `bench/replay.ts`.']
        : [
            `\`bench/replay.ts\` ran, but no line of its output read \`run N ... X events/s\`; its last lines: ${lines.slice(-5).join(' / ')}`,
          ],
  };
}

/** Runs a script of the build with the same Node.js, passing its output through; `onLine` receives each line of its stdout. */
function runScript(script: string, args: readonly string[], onLine?: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(BUILD_DIR, 'bench', script), ...args], {
      cwd: REPOSITORY,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let pending = '';
    child.stdout.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) onLine?.(line);
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (pending !== '') onLine?.(pending);
      if (code === 0) resolve();
      else reject(new Error(`${script} exited with ${code}`));
    });
  });
}

async function describeMachine(): Promise<string> {
  const client = new Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  const version = await client.query<{ server_version: string }>('SHOW server_version').finally(() => client.end());
  const cores = cpus();
  return (
    `${cores.length} vCPUs (${cores[0]?.model.trim() ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node.js ${process.version}, ` +
    `PostgreSQL ${version.rows[0].server_version.split(' ')[0]}, load average ${loadavg()
      .map((value) => value.toFixed(2))
      .join(' ')} at the start`
  );
}

interface RunContext {
  readonly command: string;
  readonly started: Date;
  readonly machine: string;
  /** HEAD when the driver started; the build may also contain uncommitted changes. */
  readonly commit: string;
}

function updateResults(name: Comparison, report: BenchReport, context: RunContext): void {
  let text = readFileSync(RESULTS_FILE, 'utf8');
  const sectionBegin = `<!-- bench:${name} -->`;
  const sectionEnd = `<!-- /bench:${name} -->`;
  if (!text.includes(SUMMARY_BEGIN)) {
    text = insertBeforeFirstSection(
      text,
      `## Side by side with peers (\`npm run bench\`)\n\n${SUMMARY_BEGIN}\n${summaryHeader()}\n${SUMMARY_END}\n\n` +
        COMPARISONS.map((comparison) => `<!-- bench:${comparison} -->\n<!-- /bench:${comparison} -->`).join('\n\n') +
        '\n\n',
    );
  }
  text = replaceBetween(text, sectionBegin, sectionEnd, renderSection(report, context));
  text = replaceBetween(text, SUMMARY_BEGIN, SUMMARY_END, renderSummary(text, name, report));
  writeFileSync(RESULTS_FILE, text);
}

/** Inserts the generated part after the Machine section, ahead of the earlier figures. */
function insertBeforeFirstSection(text: string, block: string): string {
  const machine = text.indexOf('## Machine');
  const next = machine === -1 ? -1 : text.indexOf('\n## ', machine + 1);
  return next === -1 ? `${text.trimEnd()}\n\n${block}` : `${text.slice(0, next + 1)}${block}${text.slice(next + 1)}`;
}

function replaceBetween(text: string, begin: string, end: string, content: string): string {
  const start = text.indexOf(begin);
  const stop = text.indexOf(end);
  if (start === -1 || stop === -1 || stop < start) throw new Error(`RESULTS.md lacks the markers ${begin} ... ${end}`);
  return `${text.slice(0, start + begin.length)}\n${content.trim()}\n${text.slice(stop)}`;
}

function summaryHeader(): string {
  return '| comparison | figure | ours (median) | peer or goal | ratio | met | 1-min load |\n|---|---|---|---|---|---|---|';
}

/** Keeps the summary rows of the other comparisons and replaces those of `name`. */
function renderSummary(text: string, name: Comparison, report: BenchReport): string {
  const current = text.slice(text.indexOf(SUMMARY_BEGIN) + SUMMARY_BEGIN.length, text.indexOf(SUMMARY_END));
  const kept = current
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith(`| ${name} |`) && !line.startsWith('| comparison |'));
  const rows = new Map(report.rows.map((row) => [row.label, row]));
  const fresh = report.ratios.map((ratio) =>
    summaryRow(name, ratio.label, rows.get(ratio.ours), ratio.peer === undefined ? undefined : rows.get(ratio.peer)),
  );
  if (fresh.length === 0) fresh.push(`| ${name} | ${report.notes[0] ?? ''} | | | | | |`);
  const order = (line: string) => COMPARISONS.findIndex((comparison) => line.startsWith(`| ${comparison} |`));
  const lines = [...kept, ...fresh].sort((a, b) => order(a) - order(b));
  return `${summaryHeader()}\n${lines.join('\n')}`;
}

function summaryRow(name: Comparison, label: string, ours: BenchRow | undefined, peer: BenchRow | undefined): string {
  if (ours === undefined || ours.runs.length === 0) return `| ${name} | ${label} | not measured | | | | |`;
  const oursMedian = median(ours.runs);
  const reference = peer === undefined ? ours.goal : median(peer.runs);
  if (reference === undefined) return `| ${name} | ${label} | ${formatFigure(oursMedian, ours.unit)} | | | | ${loadRange(ours)} |`;
  const ratio = oursMedian / reference;
  const met = ours.higherIsBetter ? ratio >= 1 : ratio <= 1;
  const referenceText = peer === undefined ? `goal ${formatFigure(reference, ours.unit)}` : formatFigure(reference, peer.unit);
  const loads = peer === undefined ? loadRange(ours) : loadRange({ ...ours, loads: [...ours.loads, ...peer.loads] });
  return `| ${name} | ${label} | ${formatFigure(oursMedian, ours.unit)} | ${referenceText} | ${ratio.toFixed(2)} | ${met ? 'yes' : '**no**'} | ${loads} |`;
}

function renderSection(report: BenchReport, context: RunContext): string {
  const runs = Math.max(0, ...report.rows.map((row) => row.runs.length));
  const header = `| figure | ${Array.from({ length: runs }, (_, index) => `run ${index + 1}`).join(' | ')} | median | 1-min load before each run |`;
  const lines = [
    `### ${report.title}`,
    '',
    `Command: \`${context.command}\`, run on ${context.started.toISOString().slice(0, 16).replace('T', ' ')} UTC at commit ` +
      `\`${context.commit}\` (uncommitted changes of other engineers may be in the tree). Machine: ${context.machine}.`,
    '',
  ];
  if (report.rows.length > 0) {
    lines.push(header, `|---|${'---|'.repeat(runs)}---|---|`);
    for (const row of report.rows) {
      const cells = Array.from({ length: runs }, (_, index) => (index < row.runs.length ? formatFigure(row.runs[index], row.unit) : ''));
      lines.push(`| ${row.label} | ${cells.join(' | ')} | **${formatFigure(median(row.runs), row.unit)}** | ${row.loads.join(', ')} |`);
    }
    lines.push('');
  }
  lines.push(...report.notes.map((note) => `- ${note}`));
  return lines.join('\n');
}

function formatFigure(value: number, unit: string): string {
  if (unit === 's') return `${value.toFixed(1)} s`;
  if (unit === 'ms') return `${formatNumber(value)} ms`;
  return `${formatNumber(value)} ${unit}`;
}

function loadRange(row: BenchRow): string {
  return `${Math.min(...row.loads).toFixed(1)}-${Math.max(...row.loads).toFixed(1)}`;
}

function commitOf(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPOSITORY, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});
