import { operatorGroup } from '../accounts/operator-commands.ts';
import { fraudGroup } from '../fraud/ops-commands.ts';
import { piiGroup } from '../pii/ops-commands.ts';
import type { OpsGroup } from './command.ts';
import { reviewGroup } from './review.ts';

/** Every operator command, by group, in the order `npm run ops -- --help` shows them. */
export const groups: readonly OpsGroup[] = [reviewGroup, fraudGroup, piiGroup, operatorGroup];
