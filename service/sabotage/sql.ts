import { statementsIn } from '../db/sql.ts';

/** The text of one broken statement of sql/ (the correct ones are in db/sql/). */
export const brokenSql = statementsIn(new URL('./sql/', import.meta.url));
