import { runCli } from '../cli/main.ts';
import { fraudCommands } from './ops-commands.ts';

/** `npm run fraud -- list [--limit N] | release <transferId> | refuse <transferId>` (until the ops CLI has them). */
runCli('fraud', fraudCommands);
