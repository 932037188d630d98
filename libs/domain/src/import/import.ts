import { assertNever, Decider, DomainEvent } from '../shared/decider';
import { DomainError } from '../shared/domain-error';

/** `campaign` copies the targets of another campaign (duplicate with targets). */
export type ImportSource = 'csv' | 'database' | 'crm' | 'payment' | 'campaign';

export type ImportRowError = { line: number; value: string; reason: string };

export type ImportCounts = { processed: number; imported: number; duplicates: number; rejected: number };

export type ImportStarted = DomainEvent<'ImportStarted', { importId: string; campaignId: string; source: ImportSource; startedAt: string }>;
/** Cumulative counts so far; `errors` holds only the rows rejected since the previous event. */
export type ImportProgressed = DomainEvent<'ImportProgressed', ImportCounts & { errors: ImportRowError[] }>;
export type ImportCompleted = DomainEvent<'ImportCompleted', ImportCounts & { completedAt: string }>;
export type ImportFailed = DomainEvent<'ImportFailed', ImportCounts & { reason: string; failedAt: string }>;
export type ImportEvent = ImportStarted | ImportProgressed | ImportCompleted | ImportFailed;

export type StartImport = { type: 'StartImport'; importId: string; campaignId: string; source: ImportSource; now: string };
export type RecordImportProgress = { type: 'RecordImportProgress'; counts: ImportCounts; errors: ImportRowError[] };
export type CompleteImport = { type: 'CompleteImport'; counts: ImportCounts; now: string };
export type FailImport = { type: 'FailImport'; counts: ImportCounts; reason: string; now: string };
export type ImportCommand = StartImport | RecordImportProgress | CompleteImport | FailImport;

export type ImportStatus = 'RUNNING' | 'DONE' | 'FAILED';
export type ImportState = { exists: false } | { exists: true; importId: string; status: ImportStatus };

export const importDecider: Decider<ImportState, ImportCommand, ImportEvent> = {
  initialState: () => ({ exists: false }),

  evolve: (state, event) => {
    switch (event.type) {
      case 'ImportStarted':
        return { exists: true, importId: event.data.importId, status: 'RUNNING' };
      case 'ImportProgressed':
        return state;
      case 'ImportCompleted':
        return state.exists ? { ...state, status: 'DONE' } : state;
      case 'ImportFailed':
        return state.exists ? { ...state, status: 'FAILED' } : state;
      default:
        return assertNever(event);
    }
  },

  decide: (command, state) => {
    if (command.type === 'StartImport') {
      if (state.exists) {
        throw DomainError.conflict('IMPORT.ALREADY_EXISTS', `import '${command.importId}' already exists`);
      }
      const { importId, campaignId, source, now } = command;
      return [{ type: 'ImportStarted', data: { importId, campaignId, source, startedAt: now } }];
    }
    if (!state.exists || state.status !== 'RUNNING') {
      throw DomainError.conflict('IMPORT.NOT_RUNNING', 'the import is not running');
    }
    switch (command.type) {
      case 'RecordImportProgress':
        return [{ type: 'ImportProgressed', data: { ...command.counts, errors: command.errors } }];
      case 'CompleteImport':
        return [{ type: 'ImportCompleted', data: { ...command.counts, completedAt: command.now } }];
      case 'FailImport':
        return [{ type: 'ImportFailed', data: { ...command.counts, reason: command.reason, failedAt: command.now } }];
      default:
        return assertNever(command);
    }
  },
};
