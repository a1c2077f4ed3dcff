import type { Item } from '../item.ts';
import { answers } from './answers.ts';
import { databases } from './databases.ts';
import { general } from './general.ts';
import { jobs } from './jobs.ts';
import { redis } from './redis.ts';

/** Every item of the design sheet, in its order: the cross-questions by section, then the answers. */
export const ITEMS: readonly Item[] = [...databases, ...redis, ...jobs, ...general, ...answers];
