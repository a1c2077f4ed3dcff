import { relative } from 'node:path';
import { MissingBinaryError } from '../stack/index.ts';
import { parseOptions, USAGE, UsageError } from './options.ts';
import { CHART_FILE, RESULT_FILE } from './result.ts';
import { runBench } from './run.ts';
import { closingTable } from './table.ts';

/** `npm run bench`: see USAGE and docs/bench.md. */
async function main(): Promise<number> {
  let opts: ReturnType<typeof parseOptions>;
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`bench: ${(err as Error).message}\n\n${USAGE}\n`);
      return 2;
    }
    throw err;
  }
  if (opts.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  try {
    const { result, dir } = await runBench(opts, (line) => process.stdout.write(`${line}\n`));
    process.stdout.write(`\n${closingTable(result)}\n\n`);
    const rel = relative(process.cwd(), dir) || '.';
    process.stdout.write(
      `written: ${rel}/${RESULT_FILE}, ${rel}/${CHART_FILE}, ${rel}/bench.log, ${rel}/logs/\n`,
    );
    return 0;
  } catch (err) {
    if (err instanceof MissingBinaryError || err instanceof UsageError) {
      process.stderr.write(`bench: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`bench failed: ${(err as Error).stack ?? err}\n`);
    return 1;
  }
}

main().then((code) => process.exit(code));
