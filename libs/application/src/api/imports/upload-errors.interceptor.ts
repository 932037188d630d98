import { CallHandler, ExecutionContext, HttpException, NestInterceptor } from '@nestjs/common';
import { DomainError } from '@sms/domain';
import { catchError, Observable, throwError } from 'rxjs';

/** Name of the multipart field that carries the CSV file. */
export const UPLOAD_FIELD = 'file';

/**
 * Rewords the multipart errors of the FileInterceptor listed after it, which Nest turns into bare
 * HttpExceptions ("Unexpected file field - upload", "Too many files"). A 400 becomes
 * IMPORT.INVALID_UPLOAD naming the field the route expects. A 413 gets a message with the size limit.
 */
export class UploadErrorsInterceptor implements NestInterceptor {
  constructor(private readonly maxFileBytes: number) {}

  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(catchError((error: unknown) => throwError(() => this.reword(error))));
  }

  private reword(error: unknown): unknown {
    if (!(error instanceof HttpException)) {
      return error;
    }
    if (error.getStatus() === 413) {
      return new DomainError('REQUEST.TOO_LARGE', 'TOO_LARGE', `the file is larger than the limit of ${this.maxFileBytes} bytes`);
    }
    if (error.getStatus() !== 400) {
      return error;
    }
    const rule = 'must carry the CSV, as the only file of the multipart body';
    return new DomainError(
      'IMPORT.INVALID_UPLOAD',
      'INVALID',
      `the multipart upload was rejected (${error.message}): send exactly one CSV file, in the field named ${UPLOAD_FIELD}`,
      [{ field: UPLOAD_FIELD, value: error.message, rule }],
    );
  }
}
