import type { OpsCommand } from './command.ts';
import { reviewCommands } from './review.ts';

/** Every operator command, by group. Another area adds its group here, e.g. `...fraudCommands`. */
export const commands: readonly OpsCommand[] = [...reviewCommands];
