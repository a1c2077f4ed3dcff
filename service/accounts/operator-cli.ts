import { runCli } from '../cli/main.ts';
import { operatorCommands } from './operator-commands.ts';

/** `npm run operator -- create <name> | list` */
runCli('operator', operatorCommands);
