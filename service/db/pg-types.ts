import pg from 'pg';

// bigint columns (balances, amounts) come back as JS numbers: every amount is bounded by MAX_AMOUNT and
// sums stay far below 2^53, so no precision can be lost. Imported for its effect by every database module.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
