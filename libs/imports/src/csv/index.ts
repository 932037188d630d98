export * from './target-row';
export * from './import-format-error';
export { importTemplateHeader } from './columns';
export { readTargetRows, readTargetRowBatches } from './read-target-rows';
export type { TargetCsvInput } from './read-target-rows';
