export { readTargetRows, readTargetRowBatches } from './read-target-rows';
export type { TargetCsvInput } from './read-target-rows';
export { firstInvalidUtf8Offset } from './utf8-offset';
