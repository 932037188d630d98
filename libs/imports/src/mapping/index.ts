export * from './target-row';
export * from './import-format-error';
export * from './source-record';
export { checkMapping, importTemplateHeader, type ColumnOrigin } from './columns';
export { mapTargetRowBatches, rowSourceOf } from './map-target-rows';
export { ImportSourceError } from './import-source-error';
export { cut } from './target-row-mapper';
