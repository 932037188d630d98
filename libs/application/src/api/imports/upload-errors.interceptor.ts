import { CallHandler, ExecutionContext, HttpException, Inject, Injectable, NestInterceptor, Optional } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { MULTER_MODULE_OPTIONS } from '@nestjs/platform-express/multer/files.constants';
import type { MulterModuleOptions } from '@nestjs/platform-express';
import { DomainError } from '@sms/domain';
import type { Request, Response } from 'express';
import { catchError, from, Observable, switchMap, throwError } from 'rxjs';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../infrastructure/tokens';

/** Name of the multipart field that carries the CSV file. */
export const UPLOAD_FIELD = 'file';

/**
 * Receives the CSV of an import request. A body whose Content-Length is over
 * IMPORT_MAX_FILE_BYTES gets 413 before any byte of it is read. A multipart body is written to
 * the spool folder by multer, with the same limit on its file. Multer's errors, which Nest turns
 * into bare HttpExceptions ("Unexpected file field - upload", "Too many files"), are reworded: a
 * 400 becomes IMPORT.INVALID_UPLOAD naming the field the route expects, and a 413 gets a message
 * with the size limit. Every 413 closes the connection once sent, because the client may still be
 * sending a body that the server does not read.
 */
@Injectable()
export class UploadErrorsInterceptor implements NestInterceptor {
  private readonly upload: NestInterceptor;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() @Inject(MULTER_MODULE_OPTIONS) multerOptions: MulterModuleOptions = {},
  ) {
    const FileUpload = FileInterceptor(UPLOAD_FIELD, { limits: { fileSize: config.IMPORT_MAX_FILE_BYTES, files: 1 } });
    this.upload = new FileUpload(multerOptions);
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const declaredBytes = Number(request.headers['content-length']);
    if (declaredBytes > this.config.IMPORT_MAX_FILE_BYTES) {
      return throwError(() => tooLarge(response, this.config.IMPORT_MAX_FILE_BYTES));
    }

    return from(Promise.resolve(this.upload.intercept(context, next))).pipe(
      switchMap((handled) => handled),
      catchError((error: unknown) => throwError(() => this.reword(error, response))),
    );
  }

  private reword(error: unknown, response: Response): unknown {
    if (!(error instanceof HttpException)) {
      return error;
    }
    if (error.getStatus() === 413) {
      return tooLarge(response, this.config.IMPORT_MAX_FILE_BYTES);
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

/**
 * Builds the 413 of an import body over `maxBytes`, and marks the response to close the
 * connection after it, since the rest of the body is never read.
 */
export function tooLarge(response: Response, maxBytes: number): DomainError {
  if (!response.headersSent) {
    response.setHeader('Connection', 'close');
  }
  return new DomainError(
    'REQUEST.TOO_LARGE',
    'TOO_LARGE',
    `the import body is larger than the limit of ${maxBytes} bytes (IMPORT_MAX_FILE_BYTES); split the file and import each part`,
  );
}
