import { runCli } from '../cli/main.ts';
import { piiCommands } from './ops-commands.ts';

/** `npm run pii -- status | rotate [--batch N] | new-key <id>` */
runCli('pii', piiCommands);
